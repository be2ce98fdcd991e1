"""External-sync routes, one of the app's built-in route modules:

``POST /api/sync/external`` (the admin app's Trigger Sync), ``GET /api/sync/external/adapters``,
``GET /api/sync/external/runs[/{run_id}]``, ``GET /api/sync/external/outbox``,
``POST /api/sync/external/outbox/requeue``, ``POST /api/sync/external/callback-token`` (admin)
and ``POST /api/sync/external/callback/{configId}`` (the remote's callback, by token).
"""

from __future__ import annotations

import falcon

from adapters_in.http.external import openapi, resources
from adapters_in.http.routing import HttpKit, RouteModule
from application.external_callback import ExternalCallback
from application.external_sync import RunExternalSync
from application.external_sync_admin import ExternalSyncAdmin


def external_routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        run, admin = kit.use(RunExternalSync), kit.use(ExternalSyncAdmin)
        app.add_route("/api/sync/external", resources.TriggerResource(run, kit))
        app.add_route("/api/sync/external/adapters", resources.AdaptersResource(admin))
        app.add_route("/api/sync/external/runs", resources.RunsResource(admin, kit))
        app.add_route("/api/sync/external/runs/{run_id}", resources.RunResource(admin))
        app.add_route("/api/sync/external/outbox", resources.OutboxResource(admin, kit))
        app.add_route("/api/sync/external/outbox/requeue", resources.RequeueResource(admin, kit))
        callback = kit.use(ExternalCallback)
        app.add_route(
            "/api/sync/external/callback-token", resources.CallbackTokenResource(callback, kit)
        )
        app.add_route(
            "/api/sync/external/callback/{config_id}", resources.CallbackResource(callback)
        )

    return RouteModule(
        name="external",
        register=register,
        paths=openapi.PATHS,
        schemas=openapi.SCHEMAS,
        tags=[{"name": "external", "description": "External systems (OpenSPP, OpenFn, plug-ins)"}],
    )
