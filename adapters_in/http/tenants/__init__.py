"""Tenant and review routes, plugged into the app through ``HttpServices.extra_routes``::

    HttpServices(..., extra_routes=(tenant_routes(TenantServices(...)),))

Routes: ``/api/apps[/{id}]``, ``/artifacts/{artifactId}.json|.png`` (public),
``/api/entities[/count|/count-by-form|/{guid}|/{guid}/events]``,
``/api/potential-duplicates[/resolve]``, ``/api/conflicts[/{id}/resolve]``,
``/api/sync/rejected/{guid}[/retry]``.
"""

from __future__ import annotations

import attrs
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
from application.tenant_reads import GetApp, ListApps
from application.tenants import CreateApp, DeleteApp, UpdateApp


@attrs.frozen(kw_only=True)
class TenantServices:
    list_apps: ListApps
    get_app: GetApp
    create_app: CreateApp
    update_app: UpdateApp
    delete_app: DeleteApp
    get_artifact: GetArtifact
    artifact_qr: RenderArtifactQr
    list_entities: ListEntities
    count_entities: CountEntities
    count_by_form: CountEntitiesByForm
    get_entity: GetEntity
    entity_events: EntityEvents
    list_duplicates: ListDuplicates
    resolve_duplicate: ResolveDuplicate
    list_conflicts: ListConflicts
    resolve_conflict: ResolveConflict
    retry_rejected: RetryRejected
    discard_rejected: DiscardRejected


def tenant_routes(services: TenantServices) -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        _register(app, kit, services)

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


def _register(app: falcon.App, kit: HttpKit, s: TenantServices) -> None:
    tenant = kit.config.legacy_default_tenant
    app.add_route("/api/apps", apps.AppsResource(s.list_apps, s.create_app))
    app.add_route("/api/apps/{app_id}", apps.AppResource(s.get_app, s.update_app, s.delete_app))
    app.add_route(
        "/artifacts/{filename}",
        artifacts.ArtifactResource(s.get_artifact, s.artifact_qr, kit.config.public_base_url),
    )
    app.add_route("/api/entities", entities.EntitiesResource(s.list_entities, tenant))
    app.add_route("/api/entities/count", entities.EntityCountResource(s.count_entities, tenant))
    app.add_route(
        "/api/entities/count-by-form", entities.EntityCountByFormResource(s.count_by_form, tenant)
    )
    app.add_route("/api/entities/{guid}", entities.EntityResource(s.get_entity, tenant))
    app.add_route(
        "/api/entities/{guid}/events", entities.EntityEventsResource(s.entity_events, tenant)
    )
    app.add_route(
        "/api/potential-duplicates",
        StatusListResource(s.list_duplicates, render.duplicate, "pending", kit),
    )
    app.add_route(
        "/api/potential-duplicates/resolve",
        duplicates.ResolveDuplicateResource(s.resolve_duplicate, kit),
    )
    app.add_route(
        "/api/conflicts", StatusListResource(s.list_conflicts, render.conflict, "open", kit)
    )
    app.add_route(
        "/api/conflicts/{conflict_id}/resolve",
        conflicts.ResolveConflictResource(s.resolve_conflict, kit),
    )
    app.add_route(
        "/api/sync/rejected/{guid}/retry", quarantine.RetryRejectedResource(s.retry_rejected, kit)
    )
    app.add_route(
        "/api/sync/rejected/{guid}", quarantine.RejectedEventResource(s.discard_rejected, kit)
    )
