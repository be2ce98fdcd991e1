"""Errors gunicorn answers itself (before the app sees a request) as problem+json, not HTML.

gunicorn answers a request it cannot parse - a request line over ``limit_request_line`` (414),
too many or too large header fields (431), a malformed request line, method, version, header or
chunk (400), an unsupported transfer coding (501) - with ``gunicorn.util.write_error``, which
writes an HTML page. ``install()`` replaces that one function (in the master, so every forked
worker inherits it) with one that writes the same status as ``application/problem+json`` in the
app's shape (``type``, ``title``, ``status``, ``detail``). What is still not a problem document
is listed in docs/hardening.md.
"""

from __future__ import annotations

import json
from typing import Any

import gunicorn.util

TYPE_PREFIX = "urn:datacollect:problem:"
_SLUGS = {
    400: "bad-request",
    403: "forbidden",
    414: "uri-too-long",
    417: "expectation-failed",
    431: "header-fields-too-large",
    500: "internal-error",
    501: "not-implemented",
}
_MAX_DETAIL = 200  # gunicorn's message may quote the offending request line


def problem_response(status_int: int, reason: str, mesg: str) -> bytes:
    detail = mesg if len(mesg) <= _MAX_DETAIL else mesg[:_MAX_DETAIL] + "..."
    body = json.dumps(
        {
            "type": TYPE_PREFIX + _SLUGS.get(status_int, f"http-{status_int}"),
            "title": reason,
            "status": status_int,
            "detail": detail or reason,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    return head + body


def _write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    gunicorn.util.write_nonblock(sock, problem_response(status_int, reason, mesg))


def install() -> None:
    gunicorn.util.write_error = _write_problem  # type: ignore[assignment]
