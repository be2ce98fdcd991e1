"""Conditional GET helpers."""

from __future__ import annotations

import falcon


def not_modified(req: falcon.Request, resp: falcon.Response, etag: str) -> bool:
    """Set ``ETag``; True (and 304) when the client's ``If-None-Match`` already has it."""
    resp.etag = etag
    header = req.get_header("If-None-Match") or ""
    tags = {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
    if "*" in tags or etag in tags:
        resp.status = falcon.HTTP_304
        resp.content_type = None  # a 304 carries no content (RFC 9110)
        return True
    return False
