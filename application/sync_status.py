"""Sync health per tenant (``GET /health/sync``): feed head, events, last push and pull, review
backlog, and the retention job's recent runs.

Admins only: the report names every tenant. One read-only unit of work, so all the figures come
from one snapshot. At most ``MAX_TENANTS`` tenants per call (a few small queries each); ``offset``
pages through the rest and ``truncated`` says that more remain.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from application.access import require_admin
from application.pull_activity import PullActivity
from application.retention import Cleanup
from domain.users import Principal
from ports.external_store import SyncRun
from ports.repositories import FeedStatus, JobRun, UnitOfWorkFactory

MAX_TENANTS = 1000


@attrs.frozen(kw_only=True)
class TenantSyncStatus:
    feed: FeedStatus
    pending_duplicates: int
    open_conflicts: int
    last_pull_at: datetime | None = None
    outbox: dict[str, int] = attrs.field(factory=dict)  # external outbox rows by status
    last_external_run: SyncRun | None = None


@attrs.frozen(kw_only=True)
class SyncStatusReport:
    tenants: tuple[TenantSyncStatus, ...]  # tenant id order
    total: int  # tenants in all
    offset: int
    truncated: bool  # more tenants after this page
    retention_runs: tuple[JobRun, ...] = ()  # newest first


class SyncStatus:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        activity: PullActivity,
        retention: Cleanup,
    ) -> None:
        self._uow_factory, self._activity, self._retention = uow_factory, activity, retention

    def __call__(
        self, principal: Principal, limit: int = MAX_TENANTS, offset: int = 0
    ) -> SyncStatusReport:
        require_admin(principal)
        limit, offset = max(1, min(limit, MAX_TENANTS)), max(0, offset)
        with self._uow_factory(read_only=True) as uow:
            tenant_ids = sorted(uow.tenants.list_ids())
            page = tenant_ids[offset : offset + limit]
            tenants = tuple(
                TenantSyncStatus(
                    feed=uow.events.status(tenant_id),
                    pending_duplicates=uow.duplicates.count(tenant_id, "pending"),
                    open_conflicts=uow.conflicts.count(tenant_id, "open"),
                    outbox=uow.external.counts(tenant_id),
                    last_external_run=next(iter(uow.external.runs(tenant_id, 1, 0)), None),
                )
                for tenant_id in page
            )
        pulls = self._activity.last_pulls(page)
        tenants = tuple(attrs.evolve(t, last_pull_at=pulls.get(t.feed.tenant_id)) for t in tenants)
        return SyncStatusReport(
            tenants=tenants,
            total=len(tenant_ids),
            offset=offset,
            truncated=offset + len(page) < len(tenant_ids),
            retention_runs=tuple(self._retention.recent_runs()),
        )
