"""Sync health per tenant (``GET /health/sync``): feed head, events, last push, review backlog.

Admins only: the report names every tenant. One read-only unit of work, so all the figures come
from one snapshot. At most ``MAX_TENANTS`` tenants per call (a few small queries each); ``offset``
pages through the rest and ``truncated`` says that more remain.
"""

from __future__ import annotations

import attrs

from application.access import require_admin
from domain.users import Principal
from ports.repositories import FeedStatus, UnitOfWorkFactory

MAX_TENANTS = 1000


@attrs.frozen(kw_only=True)
class TenantSyncStatus:
    feed: FeedStatus
    pending_duplicates: int
    open_conflicts: int


@attrs.frozen(kw_only=True)
class SyncStatusReport:
    tenants: tuple[TenantSyncStatus, ...]  # tenant id order
    total: int  # tenants in all
    offset: int
    truncated: bool  # more tenants after this page


class SyncStatus:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

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
                )
                for tenant_id in page
            )
        return SyncStatusReport(
            tenants=tenants,
            total=len(tenant_ids),
            offset=offset,
            truncated=offset + len(page) < len(tenant_ids),
        )
