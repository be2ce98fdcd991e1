"""``/artifacts/{artifactId}.json|.png``: public (no auth), generated on every request.

The base URL is ``PUBLIC_BASE_URL`` when configured; otherwise it is rebuilt from the request
(``Forwarded``/``X-Forwarded-Host``/``-Proto`` and ``X-Forwarded-Prefix`` for a proxy path
prefix), and the response varies on those headers.
"""

from __future__ import annotations

import hashlib
import json
import re

import falcon

from adapters_in.http.tenants.caching import not_modified
from application.artifacts import GetArtifact, RenderArtifactQr

_NAME = re.compile(r"^([0-9A-Za-z_-]{1,64})\.(json|png)$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
_VARY = ("Host", "Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix")


def base_url(req: falcon.Request, configured: str | None) -> str:
    if configured:
        return configured.rstrip("/")
    prefix = (req.get_header("X-Forwarded-Prefix") or "").strip().rstrip("/")
    if prefix and not _PREFIX.match(prefix):
        prefix = ""
    return req.forwarded_prefix.rstrip("/") + prefix


class ArtifactResource:
    auth = "public"

    def __init__(self, get: GetArtifact, qr: RenderArtifactQr, public_base_url: str | None):
        self._get, self._qr, self._public = get, qr, public_base_url

    def on_get(self, req: falcon.Request, resp: falcon.Response, filename: str) -> None:
        match = _NAME.match(filename)
        if match is None:
            raise falcon.HTTPNotFound(description="Config not found")
        artifact_id, kind = match.groups()
        base = base_url(req, self._public)
        if kind == "json":
            doc = self._get(artifact_id, base)
            body = json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")
            resp.content_type = "application/json"
            resp.downloadable_as = f"{artifact_id}.json"
        else:
            body = self._qr(artifact_id, base)
            resp.content_type = "image/png"
        resp.cache_control = ["no-cache"]
        if not self._public:
            resp.vary = _VARY
        if not not_modified(req, resp, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'):
            resp.data = body
