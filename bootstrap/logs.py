"""Logging: structlog over the stdlib, configured once per process.

JSON lines in production, a readable console in development. Every line carries the request id
(``application.context.request_id``, set by the HTTP middleware) when there is one, and values
under secret-looking keys (password, token, secret, authorization, apiKey, client_secret, ...)
are replaced by ``"[redacted]"`` at any depth. Records from the stdlib (gunicorn, psycopg, our
adapters using ``logging``) go through the same chain, so the whole output has one format.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor

from application.context import request_id

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)|^pass$|pwd|secret|token|authori[sz]ation|api[-_]?key|credential|cookie"
    r"|private[-_]?key",
    re.IGNORECASE,
)
_TAKEN_OVER = ("gunicorn.error", "gunicorn.access")


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


_INLINE = re.compile(
    r"(?i)\b(bearer|basic|keycloak|auth0)(\s+)[A-Za-z0-9._~+/=-]{8,}|eyJ[\w-]{4,}\.[\w-]+\.[\w-]+"
)


def _mask_inline(text: str) -> str:
    """Credentials inside free text: ``Bearer abc...`` and anything shaped like a JWT."""
    return _INLINE.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}" if m[1] else REDACTED, text)


def _scrub(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return _mask_inline(value)
    if depth > 8:
        return value
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret_key(k) else _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, depth + 1) for v in value]
    return value


def redact_secrets(_: Any, __: str, event_dict: EventDict) -> EventDict:
    return {k: REDACTED if is_secret_key(k) else _scrub(v) for k, v in event_dict.items()}


def add_request_id(_: Any, __: str, event_dict: EventDict) -> EventDict:
    rid = request_id.get()
    if rid is not None and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    return event_dict


def flatten_fields(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """``logger.info("msg", extra={"fields": {...}})`` becomes top-level keys."""
    fields = event_dict.pop("fields", None)
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            event_dict.setdefault(str(key), value)
    return event_dict


_FIRST = ("ts", "level", "logger", "event", "request_id")


def lead_with_essentials(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """``ts, level, logger, event, request_id`` first: lines read well and sort by time."""
    head = {k: event_dict[k] for k in _FIRST if k in event_dict}
    return {**head, **{k: v for k, v in event_dict.items() if k not in head}}


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
        add_request_id,
    ]


def make_formatter(json: bool) -> logging.Formatter:
    renderer: Processor = (
        structlog.processors.JSONRenderer(default=str)
        if json
        else structlog.dev.ConsoleRenderer(colors=False, timestamp_key="ts")
    )
    tail: list[Processor] = [structlog.processors.format_exc_info] if json else []
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared(), structlog.stdlib.ExtraAdder(), flatten_fields],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *tail,
            redact_secrets,
            lead_with_essentials,
            renderer,
        ],
    )


def configure(level: str = "INFO", fmt: str = "console", stream: TextIO | None = None) -> None:
    """Install our handler on the root logger (replacing any) and route gunicorn's loggers
    through it. Safe to call again (after fork, after a gunicorn reload)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(json=fmt == "json"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _TAKEN_OVER:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    logging.getLogger("urllib3").setLevel(max(logging.WARNING, root.level))
