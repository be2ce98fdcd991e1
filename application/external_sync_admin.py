"""Reading and tending external sync: installed adapters, runs, failed outbox rows."""

from __future__ import annotations

from collections.abc import Collection

import attrs

from application.access import require_admin, tenant_for
from domain.errors import NotFound
from domain.users import Principal
from ports.clock import Clock
from ports.external import AdapterInfo, ExternalSystems
from ports.external_store import OutboxRow, SyncRun
from ports.repositories import UnitOfWorkFactory

FAILED = ("dead", "rejected")


@attrs.frozen(kw_only=True)
class OutboxSummary:
    counts: dict[str, int]
    rows: list[OutboxRow]


class ExternalSyncAdmin:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, systems: ExternalSystems
    ) -> None:
        self._uow_factory, self._clock, self._systems = uow_factory, clock, systems

    def adapters(self, principal: Principal) -> list[AdapterInfo]:
        return self._systems.infos()

    def runs(self, principal: Principal, tenant_id: str, limit: int, offset: int) -> list[SyncRun]:
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.external.runs(tenant_id, limit, offset)

    def run(self, principal: Principal, run_id: str) -> SyncRun:
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            run = uow.external.run(run_id)
        if run is None or not principal.may_sync(run.tenant_id):
            raise NotFound(f"external sync run {run_id!r} does not exist", code="run-not-found")
        return run

    def failed(
        self, principal: Principal, tenant_id: str, limit: int, offset: int
    ) -> OutboxSummary:
        """Dead and rejected outbox rows (oldest first) and the counts of every status."""
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return OutboxSummary(
                counts=uow.external.counts(tenant_id),
                rows=uow.external.outbox(tenant_id, None, FAILED, limit, offset),
            )

    def requeue(self, principal: Principal, tenant_id: str, event_guids: Collection[str]) -> int:
        require_admin(principal)
        with self._uow_factory() as uow:
            tenant_for(uow, tenant_id, principal)
            count = uow.external.requeue(tenant_id, event_guids, self._clock.now())
            uow.commit()
        return count
