"""HTTP edges against the real gunicorn server: what gunicorn refuses itself is problem+json,
chunked bodies are read, media types are case-insensitive (issue 11, item 7)."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.client import Client
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.slow


def _raw(server: RunningServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    where = urlsplit(server.base_url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (
            b"GET /health HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(300))
            + b"\r\n",
            431,
        ),
        (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 20000 + b"\r\n\r\n", 431),
        (b"NOT A REQUEST LINE\r\n\r\n", 400),
        (b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    ],
)
def test_errors_gunicorn_answers_itself_are_problem_json(
    server: RunningServer, request_bytes: bytes, status: int
) -> None:
    got, headers, body = _raw(server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["type"].startswith("urn:datacollect:problem:")
    assert b"<html" not in body


def test_a_chunked_push_is_read_and_media_types_ignore_case(
    server: RunningServer, device: Client, tenant: str
) -> None:
    event = {
        "guid": "chunked-1",
        "entityGuid": "p-chunked",
        "type": "create-individual",
        "data": {"name": "Chunk"},
        "timestamp": "2025-03-01T09:00:00.000Z",
        "userId": "u",
    }
    payload = json.dumps({"events": [event], "configId": tenant}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (payload[:10], payload[10:]))
    request = (
        b"POST /api/sync/push HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: Bearer " + device.token.encode() + b"\r\n"  # type: ignore[union-attr]
        b"Content-Type: APPLICATION/JSON\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )
    status, _, body = _raw(server, request)
    assert status == 200, body
    assert json.loads(body)["applied"] == 1
