"""/api-docs: Swagger UI served from the ``swagger_ui_bundle`` package (no CDN), and the
OpenAPI document. Asset URLs are relative, so the page also works behind a path prefix."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from functools import cache
from typing import Any

import falcon
from swagger_ui_bundle import swagger_ui_path

from adapters_in.http.openapi.common import PUBLIC, errors, path
from adapters_in.http.openapi.document import for_swagger_ui
from adapters_in.http.routing import HttpKit, RouteModule
from domain.errors import NotFound

ASSETS = frozenset(
    {"swagger-ui.css", "index.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
     "favicon-32x32.png", "favicon-16x16.png"}
)  # fmt: skip
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>DataCollect Sync Server API</title>
<link rel="stylesheet" href="{p}assets/swagger-ui.css">
<link rel="stylesheet" href="{p}assets/index.css">
<link rel="icon" type="image/png" href="{p}assets/favicon-32x32.png" sizes="32x32"></head>
<body><div id="swagger-ui"></div>
<script src="{p}assets/swagger-ui-bundle.js"></script>
<script src="{p}assets/swagger-ui-standalone-preset.js"></script>
<script>window.onload = function () {{ window.ui = SwaggerUIBundle({{url: "{p}openapi-ui.json",
dom_id: "#swagger-ui", deepLinking: true, layout: "StandaloneLayout",
presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset]}}); }};</script>
</body></html>"""


class DocsPageResource:
    auth = "public"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # Relative asset URLs (they also work behind a path prefix) depend on whether the
        # browser's URL ends with "/" - which Falcon's req.path no longer shows.
        prefix = "" if req.env.get("PATH_INFO", "").endswith("/") else "api-docs/"
        resp.content_type = falcon.MEDIA_HTML
        resp.text = _PAGE.format(p=prefix)


class DocsAssetResource:
    auth = "public"

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        if name not in ASSETS:  # an allow-list: no path traversal possible
            raise NotFound(f"no documentation asset {name!r}")
        resp.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        resp.cache_control = ["public", "max-age=86400"]
        resp.data = (swagger_ui_path / name).read_bytes()


class OpenApiResource:
    auth = "public"

    def __init__(self, document: Callable[[], bytes]) -> None:
        self._document = document

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._document()


_HTML = {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}
_JSON = {"description": "OpenAPI document", "content": {"application/json": {"schema": {}}}}
_PUBLIC = {"tags": ["operations"], "security": PUBLIC, "x-access": "public"}
PATHS: dict[str, Any] = {
    "/api-docs": {"get": {**_PUBLIC, "summary": "Swagger UI",
                          "responses": {"200": _HTML, **errors()}}},
    "/api-docs/openapi.json": {"get": {**_PUBLIC, "summary": "This document (OpenAPI 3.1)",
                                       "responses": {"200": _JSON, **errors()}}},
    "/api-docs/openapi-ui.json": {"get": {**_PUBLIC,
                                          "summary": "The same, as OpenAPI 3.0 for Swagger UI 4",
                                          "responses": {"200": _JSON, **errors()}}},
    "/api-docs/assets/{name}": {"get": {
        **_PUBLIC, "summary": "Swagger UI assets",
        "parameters": [path("name", "asset file name", "swagger-ui.css")],
        "responses": {"200": {"description": "The asset", "content": {"*/*": {"schema": {}}}},
                      **errors(404)}}},
}  # fmt: skip


def routes(document: Callable[[], dict[str, Any]]) -> RouteModule:
    """``document`` builds the full OpenAPI document; it runs once, on first request."""

    @cache
    def as_31() -> bytes:
        return json.dumps(document()).encode()

    @cache
    def as_30() -> bytes:
        return json.dumps(for_swagger_ui(document())).encode()

    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/api-docs", DocsPageResource())
        app.add_route("/api-docs/openapi.json", OpenApiResource(as_31))
        app.add_route("/api-docs/openapi-ui.json", OpenApiResource(as_30))
        app.add_route("/api-docs/assets/{name}", DocsAssetResource())

    return RouteModule(name="docs", register=register, paths=PATHS)
