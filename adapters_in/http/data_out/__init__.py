"""Data out, one of the app's built-in route modules: exports (``/api/apps/{id}/export``) and
the OData feed (``/odata/{configId}/``)."""

from __future__ import annotations

import falcon

from adapters_in.http.data_out import exports, openapi
from adapters_in.http.odata import resources as odata
from adapters_in.http.rate_limit import LoginThrottle
from adapters_in.http.routing import HttpKit, RouteModule
from application.basic_credentials import BasicCredentials
from application.exports import ExportEntities
from application.odata_feed import ReadEntitySets
from ports.limits import RateLimits


def data_out_routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route(
            "/api/apps/{tenant_id}/export", exports.ExportResource(kit.use(ExportEntities))
        )
        config = kit.config
        throttle = LoginThrottle(  # the login's own budgets, in the shared store
            kit.use(RateLimits),
            config.login_attempts_per_email,
            config.login_attempts_per_ip,
            config.login_window_s,
        )
        context = odata.ODataContext(
            sets=kit.use(ReadEntitySets),
            credentials=kit.use(BasicCredentials),
            throttle=throttle,
            kit=kit,
        )
        odata.register(app, context)

    return RouteModule(
        name="data-out",
        register=register,
        paths=openapi.PATHS,
        schemas=openapi.SCHEMAS,
        tags=[
            {"name": "data out", "description": "Exports of current entities"},
            {"name": "odata", "description": "Read-only OData v4 feed (Excel, Power BI)"},
        ],
    )
