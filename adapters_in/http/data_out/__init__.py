"""Data out, one of the app's built-in route modules: exports (``/api/apps/{id}/export``)."""

from __future__ import annotations

import falcon

from adapters_in.http.data_out import exports, openapi
from adapters_in.http.routing import HttpKit, RouteModule
from application.exports import ExportEntities


def data_out_routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/api/apps/{app_id}/export", exports.ExportResource(kit.use(ExportEntities)))

    return RouteModule(
        name="data-out",
        register=register,
        paths=openapi.PATHS,
        tags=[{"name": "data out", "description": "Exports of current entities"}],
    )
