"""Refuse bodies over the configured size before anything reads them (413 problem), read
chunked bodies, and compare media types case-insensitively.

Falcon reads exactly ``Content-Length`` bytes (a body without one is read as empty). A chunked
request (``Transfer-Encoding: chunked``, no ``Content-Length``) would therefore look empty: when
the server says the input stream ends where the body ends (``wsgi.input_terminated``, which
gunicorn sets), the body is read here, up to the limit, and handed on with its length;
otherwise the request gets 411 Length Required instead of being silently misread.

Media types are case-insensitive (RFC 9110 8.3.1) but Falcon matches handlers by exact text,
so ``APPLICATION/JSON`` would get 415: the type and subtype are lower-cased here (parameters
such as a multipart ``boundary`` are case-sensitive and kept).
"""

from __future__ import annotations

import io

import falcon

from adapters_in.http.problems import Problem

_READ_SIZE = 64 * 1024


class BodyLimitMiddleware:
    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.content_type:
            kind, sep, params = req.content_type.partition(";")
            req.content_type = kind.strip().lower() + sep + params
        length = req.content_length
        if length is not None and length > self._max:
            raise self._too_large()
        if length is None and "chunked" in (req.get_header("Transfer-Encoding") or "").lower():
            self._read_chunked(req)

    def _too_large(self) -> Problem:
        return Problem(
            413, "payload-too-large", f"The request body is limited to {self._max} bytes"
        )

    def _read_chunked(self, req: falcon.Request) -> None:
        if not req.env.get("wsgi.input_terminated"):
            raise Problem(
                411, "length-required", "Send the body with a Content-Length header, not chunked"
            )
        body = bytearray()
        while True:
            chunk = req.stream.read(min(_READ_SIZE, self._max + 1 - len(body)))
            if not chunk:
                break
            body += chunk
            if len(body) > self._max:
                raise self._too_large()
        stream = io.BytesIO(bytes(body))
        req.env["wsgi.input"] = req.stream = stream
        req.env["CONTENT_LENGTH"] = str(len(body))
