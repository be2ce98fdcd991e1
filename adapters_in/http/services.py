"""Everything the HTTP layer calls, handed to ``create_app`` explicitly (no container here).

``bootstrap`` resolves the use cases and builds this once per process::

    HttpServices(login=..., users=..., current_user=..., authenticate=..., push=..., pull=...,
                 push_audit_logs=..., pull_audit_logs=..., rejected_events=...,
                 tenant_access=..., health=..., sync_status=...,
                 extra_routes=(tenants_routes(...),), metrics=..., metrics_exporter=...)

``extra_routes`` is the extension hook for route groups owned elsewhere (app configs,
artifacts, entities, potential duplicates, conflicts, ...): each is a
``routing.RouteModule`` whose ``register(app, kit)`` adds its resources and whose
``paths``/``schemas`` are merged into ``/api-docs/openapi.json``. Such a module closes over
its own use cases, so this class never has to know about them.

``metrics`` records requests (middleware) and push/pull counts (the sync resources); it records
nothing by default. ``metrics_exporter`` serves ``GET /metrics``; without one (metrics off)
that route does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from adapters_in.http.routing import RouteModule
from application.audit_logs import PullAuditLogs, PushAuditLogs
from application.authenticate import Authenticate, CheckTenantAccess
from application.pull import PullEvents
from application.push import PushEvents
from application.quarantine import ListRejectedEvents
from application.sync_status import SyncStatus
from application.user_admin import ManageUsers
from application.users import CurrentUser, Login
from ports.metrics import Metrics, MetricsExporter, NoMetrics
from ports.repositories import DatabaseHealth


@attrs.frozen(kw_only=True)
class HttpServices:
    login: Login
    users: ManageUsers
    current_user: CurrentUser
    authenticate: Authenticate
    push: PushEvents
    pull: PullEvents
    push_audit_logs: PushAuditLogs
    pull_audit_logs: PullAuditLogs
    rejected_events: ListRejectedEvents
    tenant_access: CheckTenantAccess
    health: DatabaseHealth
    sync_status: SyncStatus
    extra_routes: Sequence[RouteModule] = ()
    metrics: Metrics = attrs.field(factory=NoMetrics)
    metrics_exporter: MetricsExporter | None = None
