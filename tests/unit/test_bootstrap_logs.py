"""Logging: JSON lines with the request id, secrets redacted, stdlib and gunicorn records too."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from application.context import request_id
from bootstrap import logs


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logs.configure("DEBUG", "json", stream)
    yield stream
    root.handlers[:], root.level = saved
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_structlog_lines_carry_request_id_and_hide_secrets(json_lines: io.StringIO) -> None:
    token = request_id.set("req-42")
    try:
        structlog.get_logger("sync").info(
            "login for %s",
            "a@b.org",
            password="hunter2-hunter2",
            body={"events": [{"apiKey": "k-123"}], "client_secret": "cs-1", "n": 3},
            Authorization="Bearer abc.def.ghi",
        )
    finally:
        request_id.reset(token)
    (line,) = lines(json_lines)
    assert line["event"] == "login for a@b.org"
    assert line["request_id"] == "req-42"
    assert (line["level"], line["logger"]) == ("info", "sync")
    assert line["password"] == line["Authorization"] == logs.REDACTED
    assert line["body"] == {
        "events": [{"apiKey": logs.REDACTED}],
        "client_secret": logs.REDACTED,
        "n": 3,
    }


def test_stdlib_and_gunicorn_records_share_the_format(json_lines: io.StringIO) -> None:
    logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 123)
    logging.getLogger("adapters_out.x").warning(
        "upstream said no", extra={"fields": {"status": 401, "token": "t-secret"}}
    )
    first, second = lines(json_lines)
    assert (first["logger"], first["event"]) == ("gunicorn.error", "Booting worker with pid: 123")
    assert "request_id" not in first  # no request in progress
    assert (second["status"], second["token"]) == (401, logs.REDACTED)


def test_credentials_inside_messages_and_tracebacks_are_masked(json_lines: io.StringIO) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    try:
        raise ValueError(f"cannot verify {jwt}")
    except ValueError:
        logging.getLogger("x").exception("header was Bearer %s", "opaque-token-value")
    (line,) = lines(json_lines)
    assert line["event"] == f"header was Bearer {logs.REDACTED}"
    assert "ValueError" in line["exception"] and jwt not in line["exception"]


def test_console_format_is_human_readable() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logs.configure("INFO", "console", stream)
        structlog.get_logger("cli").info("server ready", url="http://127.0.0.1:3000")
        structlog.get_logger("cli").debug("not shown at INFO")
    finally:
        root.handlers[:], root.level = saved
        structlog.reset_defaults()
    text = stream.getvalue()
    assert "server ready" in text and "url=http://127.0.0.1:3000" in text
    assert "not shown" not in text
    assert not text.lstrip().startswith("{")
