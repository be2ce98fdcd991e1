"""Request metrics: one observation per request (route template, method, status, latency).

The route label is the template the request was routed to (``/api/users/{user_id}``), never
the raw path, so the number of series stays bounded. A request refused before routing (rate
limit, body size) is looked up in the router; a path no route matches is ``UNMATCHED``.
Placed first in the chain, its ``process_response`` runs last and sees the final status.
"""

from __future__ import annotations

import time
from typing import Any

import falcon
from falcon.routing import CompiledRouter

from ports.metrics import Metrics

UNMATCHED = "unmatched"
_METHODS = frozenset(falcon.COMBINED_METHODS)


class MetricsMiddleware:
    def __init__(self, metrics: Metrics, router: CompiledRouter) -> None:
        self._metrics, self._router = metrics, router

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.metrics_started = time.perf_counter()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, ok: bool
    ) -> None:
        started = req.context.get("metrics_started", time.perf_counter())
        self._metrics.observe_request(
            self._route(req),
            req.method if req.method in _METHODS else "OTHER",
            resp.status_code,
            time.perf_counter() - started,
        )

    def _route(self, req: falcon.Request) -> str:
        if req.uri_template is not None:
            return req.uri_template
        found = self._router.find(req.path)  # refused before routing, or no such route
        return found[3] if found is not None and found[3] is not None else UNMATCHED
