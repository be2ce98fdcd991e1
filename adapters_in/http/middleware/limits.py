"""Request rate limits: per client IP before routing, per user after authentication."""

from __future__ import annotations

from typing import Any

import falcon

from adapters_in.http.problems import Problem
from adapters_in.http.rate_limit import TokenBuckets, client_ip, retry_after


def _too_many(wait: float) -> Problem:
    return Problem(
        429,
        "rate-limited",
        "Too many requests; slow down",
        headers={"Retry-After": retry_after(wait)},
    )


class IpRateLimitMiddleware:
    def __init__(self, per_minute: int, trusted_proxies: int) -> None:
        self._buckets = TokenBuckets(per_minute, 60.0)
        self._trusted = trusted_proxies

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        wait = self._buckets.take(client_ip(req, self._trusted))
        if wait:
            raise _too_many(wait)


class UserRateLimitMiddleware:
    def __init__(self, per_minute: int) -> None:
        self._buckets = TokenBuckets(per_minute, 60.0)

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict
    ) -> None:
        principal = req.context.get("principal")
        if principal is not None:
            wait = self._buckets.take(principal.user_id)
            if wait:
                raise _too_many(wait)
