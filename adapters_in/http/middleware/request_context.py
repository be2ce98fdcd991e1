"""Request id and the structured access log (one line per request).

The id comes from ``X-Request-ID`` when it is a sane token, else a fresh one; it is echoed back,
kept in ``application.context.request_id`` and bound into structlog's context so every log line
of the request carries it. The access log never records headers, bodies or query strings, so
tokens and passwords cannot end up in it.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import falcon
import structlog

from application.context import request_id

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header("X-Request-ID")
        rid = given if given and _SANE_ID.match(given) else uuid.uuid4().hex
        req.context.request_id = rid
        req.context.request_id_token = request_id.set(rid)
        structlog.contextvars.clear_contextvars()  # nothing leaks from a previous request
        structlog.contextvars.bind_contextvars(request_id=rid)

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, ok: bool
    ) -> None:
        rid = req.context.get("request_id")
        if rid:
            resp.set_header("X-Request-ID", rid)
        token = req.context.get("request_id_token")
        if token is not None:
            request_id.reset(token)
        structlog.contextvars.clear_contextvars()


class AccessLogMiddleware:
    def __init__(self) -> None:
        # Per app, not per module: a module-level logger caches the logging configuration
        # that was active on first use, even after logging is reconfigured.
        self._log = structlog.get_logger("http.access")

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started_at = time.perf_counter()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, ok: bool
    ) -> None:
        started = req.context.get("started_at", time.perf_counter())
        status = resp.status_code
        principal = req.context.get("principal")
        (self._log.warning if status >= 500 else self._log.info)(
            "request",
            method=req.method,
            path=req.path,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            request_id=req.context.get("request_id"),
            user=principal.user_id if principal is not None else None,
        )
