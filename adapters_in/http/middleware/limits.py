"""Request rate limits: per client IP before routing, per user after authentication. Both are
counted in the shared ``RateLimits`` store, so they hold across workers and hosts."""

from __future__ import annotations

from typing import Any

import falcon

from adapters_in.http.problems import Problem
from adapters_in.http.rate_limit import checked_hit, client_ip, limit_key, retry_after
from ports.limits import RateLimits

PERIOD_S = 60.0  # limits are per minute; the burst is one minute's budget


def _too_many(wait: float) -> Problem:
    return Problem(
        429,
        "rate-limited",
        "Too many requests; slow down",
        headers={"Retry-After": retry_after(wait)},
    )


class IpRateLimitMiddleware:
    def __init__(self, store: RateLimits, per_minute: int, trusted_proxies: int) -> None:
        self._store, self._limit, self._trusted = store, per_minute, trusted_proxies

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        key = limit_key("ip", client_ip(req, self._trusted))
        wait = checked_hit(self._store, key, self._limit, PERIOD_S)
        if wait:
            raise _too_many(wait)


class UserRateLimitMiddleware:
    def __init__(self, store: RateLimits, per_minute: int) -> None:
        self._store, self._limit = store, per_minute

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict
    ) -> None:
        principal = req.context.get("principal")
        if principal is not None:
            wait = checked_hit(
                self._store, limit_key("user", principal.user_id), self._limit, PERIOD_S
            )
            if wait:
                raise _too_many(wait)
