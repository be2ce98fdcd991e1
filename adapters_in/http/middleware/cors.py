"""CORS with an allow-list of origins (the admin UI runs in a browser on another origin).

Preflights (``OPTIONS`` with ``Access-Control-Request-Method``) are answered here, before
authentication and rate limiting: browsers never send credentials on a preflight. A disallowed
origin simply gets no CORS headers, so the browser blocks the response.
"""

from __future__ import annotations

from typing import Any

import falcon

_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
_EXPOSED = "X-Request-ID, Retry-After, ETag, Location"


class CorsMiddleware:
    def __init__(self, origins: tuple[str, ...], credentials: bool, max_age_s: int) -> None:
        self._origins, self._any = frozenset(origins), "*" in origins
        self._credentials, self._max_age = credentials, str(max_age_s)

    def _allowed(self, origin: str | None) -> bool:
        return origin is not None and (self._any or origin in self._origins)

    def _allow_origin(self, resp: falcon.Response, origin: str) -> None:
        # With credentials the exact origin must be echoed ("*" is refused by browsers).
        wildcard = self._any and not self._credentials
        resp.set_header("Access-Control-Allow-Origin", "*" if wildcard else origin)
        resp.append_header("Vary", "Origin")
        if self._credentials:
            resp.set_header("Access-Control-Allow-Credentials", "true")

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.method != "OPTIONS" or not req.get_header("Access-Control-Request-Method"):
            return
        origin = req.get_header("Origin")
        if self._allowed(origin):
            self._allow_origin(resp, origin)  # type: ignore[arg-type]
            resp.set_header("Access-Control-Allow-Methods", _METHODS)
            requested = req.get_header("Access-Control-Request-Headers")
            if requested:
                resp.set_header("Access-Control-Allow-Headers", requested)
            resp.set_header("Access-Control-Max-Age", self._max_age)
        resp.status = falcon.HTTP_204
        resp.complete = True

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, ok: bool
    ) -> None:
        origin = req.get_header("Origin")
        if resp.get_header("Access-Control-Allow-Origin") or not self._allowed(origin):
            return
        self._allow_origin(resp, origin)  # type: ignore[arg-type]
        resp.set_header("Access-Control-Expose-Headers", _EXPOSED)
