"""/health/sync (per-tenant sync figures, admins only) and /metrics (Prometheus text format)."""

from __future__ import annotations

import hmac
from typing import Any

import falcon

from adapters_in.http.openapi import operations_doc
from adapters_in.http.parsing import principal_of, query_int
from adapters_in.http.routing import HttpKit, RouteModule
from application.sync_status import MAX_TENANTS, SyncStatus, SyncStatusReport, TenantSyncStatus
from domain.errors import Unauthenticated
from domain.timestamps import format_instant
from ports.metrics import MetricsExporter
from ports.records import JobRun


def render_tenant(item: TenantSyncStatus) -> dict[str, Any]:
    feed = item.feed
    return {
        "tenantId": feed.tenant_id,
        "feedHead": feed.head,
        "events": feed.events,
        "lastPushAt": format_instant(feed.last_push_at) if feed.last_push_at else None,
        "lastPullAt": format_instant(item.last_pull_at) if item.last_pull_at else None,
        "quarantined": feed.quarantined,
        "pendingDuplicates": item.pending_duplicates,
        "openConflicts": item.open_conflicts,
        "externalOutbox": _outbox(item),
    }


def _outbox(item: TenantSyncStatus) -> dict[str, Any] | None:
    run = item.last_external_run
    if not item.outbox and run is None:
        return None  # this tenant never synced with an external system
    return {
        "counts": dict(item.outbox),
        "lastRun": None
        if run is None
        else {
            "runId": run.id,
            "status": run.status,
            "startedAt": format_instant(run.started_at),
            "finishedAt": None if run.finished_at is None else format_instant(run.finished_at),
        },
    }


def render_report(report: SyncStatusReport) -> dict[str, Any]:
    return {
        "status": "ok",
        "tenants": [render_tenant(t) for t in report.tenants],
        "total": report.total,
        "offset": report.offset,
        "truncated": report.truncated,
        "retention": {"recentRuns": [render_run(run) for run in report.retention_runs]},
    }


def render_run(run: JobRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "runner": run.runner,
        "startedAt": format_instant(run.started_at),
        "finishedAt": format_instant(run.finished_at) if run.finished_at else None,
        "status": run.status,
        "counts": dict(run.counts),
        "error": run.error,
    }


class SyncHealthResource:
    # auth "token" (the default): it names every tenant, so the use case requires an admin.
    def __init__(self, status: SyncStatus) -> None:
        self._status = status

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit, offset = query_int(req, "limit", MAX_TENANTS), query_int(req, "offset", 0)
        resp.media = render_report(self._status(principal_of(req), limit, offset))


class MetricsResource:
    auth = "public"  # no user token: scrapers send METRICS_TOKEN when one is configured

    def __init__(self, exporter: MetricsExporter, token: str | None) -> None:
        self._exporter = exporter
        self._expected = f"Bearer {token}".encode() if token else None

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._expected is not None:
            given = (req.get_header("Authorization") or "").strip().encode()
            if not hmac.compare_digest(given, self._expected):
                raise Unauthenticated("Invalid metrics token", code="invalid-metrics-token")
        exposition = self._exporter.export()
        resp.content_type = exposition.content_type
        resp.data = exposition.body


def routes(exporter: MetricsExporter | None) -> RouteModule:

    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/health/sync", SyncHealthResource(kit.use(SyncStatus)))
        if exporter is not None:
            app.add_route("/metrics", MetricsResource(exporter, kit.config.metrics_token))

    paths = dict(operations_doc.SYNC_PATHS)
    if exporter is not None:
        paths.update(operations_doc.METRICS_PATHS)
    return RouteModule(
        name="operations", register=register, paths=paths, schemas=operations_doc.SCHEMAS
    )
