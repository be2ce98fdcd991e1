"""Refuse bodies over the configured size before anything reads them (413 problem).

Falcon reads exactly ``Content-Length`` bytes (a body without one is read as empty), so the
declared length is the whole story for this WSGI stack.
"""

from __future__ import annotations

import falcon

from adapters_in.http.problems import Problem


class BodyLimitMiddleware:
    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        length = req.content_length
        if length is not None and length > self._max:
            raise Problem(
                413, "payload-too-large", f"The request body is limited to {self._max} bytes"
            )
