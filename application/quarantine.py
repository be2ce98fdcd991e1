"""Rejected events kept for review (protocol: Push): listed for admins, never served on pull."""

from __future__ import annotations

import attrs

from application.access import require_admin, tenant_for
from domain.users import Principal
from ports.repositories import RejectedEvent, UnitOfWorkFactory

MAX_PAGE = 500


@attrs.frozen(kw_only=True)
class RejectedPage:
    items: tuple[RejectedEvent, ...]
    total: int


class ListRejectedEvents:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(
        self, tenant_id: str, principal: Principal, limit: int = 100, offset: int = 0
    ) -> RejectedPage:
        require_admin(principal)  # before the tenant lookup: users learn nothing about tenants
        limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            items = uow.quarantine.list(tenant_id, limit, offset)
            total = uow.quarantine.count(tenant_id)
        return RejectedPage(items=tuple(items), total=total)
