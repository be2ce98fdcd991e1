"""Tenant and review routes, one of the app's built-in route modules.

Routes: ``/api/apps[/{id}]``, ``/artifacts/{artifactId}.json|.png`` (public),
``/api/entities[/count|/count-by-form|/{guid}|/{guid}/events]``,
``/api/potential-duplicates[/resolve]``, ``/api/conflicts[/{id}/resolve]``,
``/api/sync/rejected/{guid}[/retry]``.
"""

from __future__ import annotations

import falcon

from adapters_in.http.routing import HttpKit, RouteModule
from adapters_in.http.tenants import (
    apps,
    artifacts,
    conflicts,
    duplicates,
    entities,
    openapi_paths,
    openapi_review,
    openapi_schemas,
    render,
)
from adapters_in.http.tenants import quarantine_admin as quarantine
from adapters_in.http.tenants.review_list import StatusListResource
from application.artifacts import GetArtifact, RenderArtifactQr
from application.entities import (
    CountEntities,
    CountEntitiesByForm,
    EntityEvents,
    GetEntity,
    ListEntities,
)
from application.review_conflicts import ListConflicts, ResolveConflict
from application.review_duplicates import ListDuplicates, ResolveDuplicate
from application.review_quarantine import DiscardRejected, RetryRejected
from application.tenant_reads import GetTenant, ListTenants
from application.tenants import CreateTenant, DeleteTenant, UpdateTenant


def tenant_routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        _register(app, kit)

    return RouteModule(
        name="tenants",
        register=register,
        paths={**openapi_paths.PATHS, **openapi_review.PATHS},
        schemas=openapi_schemas.SCHEMAS,
        tags=[
            {"name": "apps", "description": "App configurations (tenants)"},
            {"name": "artifacts", "description": "Public configuration artifacts and QR codes"},
            {"name": "entities", "description": "Read-only entity views"},
            {"name": "review", "description": "Duplicates, conflicts and rejected events"},
        ],
    )


def _register(app: falcon.App, kit: HttpKit) -> None:
    tenant, use = kit.config.legacy_default_tenant, kit.use
    app.add_route("/api/apps", apps.TenantsResource(use(ListTenants), use(CreateTenant)))
    app.add_route(
        "/api/apps/{tenant_id}",
        apps.TenantResource(use(GetTenant), use(UpdateTenant), use(DeleteTenant)),
    )
    app.add_route(
        "/artifacts/{filename}",
        artifacts.ArtifactResource(
            use(GetArtifact), use(RenderArtifactQr), kit.config.public_base_url
        ),
    )
    app.add_route("/api/entities", entities.EntitiesResource(use(ListEntities), tenant))
    app.add_route("/api/entities/count", entities.EntityCountResource(use(CountEntities), tenant))
    app.add_route(
        "/api/entities/count-by-form",
        entities.EntityCountByFormResource(use(CountEntitiesByForm), tenant),
    )
    app.add_route("/api/entities/{guid}", entities.EntityResource(use(GetEntity), tenant))
    app.add_route(
        "/api/entities/{guid}/events", entities.EntityEventsResource(use(EntityEvents), tenant)
    )
    app.add_route(
        "/api/potential-duplicates",
        StatusListResource(use(ListDuplicates), render.duplicate, "pending", kit),
    )
    app.add_route(
        "/api/potential-duplicates/resolve",
        duplicates.ResolveDuplicateResource(use(ResolveDuplicate), kit),
    )
    app.add_route(
        "/api/conflicts", StatusListResource(use(ListConflicts), render.conflict, "open", kit)
    )
    app.add_route(
        "/api/conflicts/{conflict_id}/resolve",
        conflicts.ResolveConflictResource(use(ResolveConflict), kit),
    )
    app.add_route(
        "/api/sync/rejected/{guid}/retry", quarantine.RetryRejectedResource(use(RetryRejected), kit)
    )
    app.add_route(
        "/api/sync/rejected/{guid}", quarantine.RejectedEventResource(use(DiscardRejected), kit)
    )
