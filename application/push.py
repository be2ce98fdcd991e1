"""Push: accept a batch of device events in one transaction, with a result per event.

Order of work inside the unit of work (docs/architecture.md, "The feed"), top to bottom:
parse -> lock the entities the batch names -> claim the guids (idempotency, also against a
concurrent re-push) -> load -> apply each event (fast path) or re-fold when it arrives late ->
one frozen ``PushChanges`` (entities, match keys, conflicts, audit, duplicates, quarantine,
events to number) -> write it -> number the applied events -> commit. Numbering comes last so
the per-tenant serialised section is as short as possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from application.access import known_tenant_for
from application.duplicate_detection import DuplicateDetector
from application.external_outbox import enqueue_applied
from application.push_batch import PushBatch
from application.push_changes import changes_of
from application.push_results import EventResult, Status
from application.push_write import write_changes
from application.retry import with_retries
from application.tenant_cache import TenantCache
from domain.errors import InvalidEvent
from domain.event_types import EventTypes
from domain.users import Principal
from ports.clock import Clock, IdGenerator
from ports.repositories import UnitOfWorkFactory

MAX_BATCH = 1000
__all__ = ["MAX_BATCH", "EventResult", "PushEvents", "PushOutcome"]


@attrs.frozen(kw_only=True)
class PushOutcome:
    results: tuple[EventResult, ...]

    def _count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def applied(self) -> int:
        return self._count("applied")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def rejected(self) -> int:
        return self._count("rejected")

    @property
    def status(self) -> Literal["success", "partial"]:
        return "partial" if self.rejected else "success"


class PushEvents:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        types: EventTypes,
        detector: DuplicateDetector,
        tenants: TenantCache | None = None,
    ) -> None:
        self._uow_factory, self._clock, self._ids = uow_factory, clock, ids
        self._types, self._detector = types, detector
        self._tenants = tenants if tenants is not None else TenantCache()  # one per worker

    def __call__(
        self, tenant_id: str, principal: Principal, raw_events: Sequence[object]
    ) -> PushOutcome:
        if len(raw_events) > MAX_BATCH:
            # Before any storage is touched; HTTP answers 413 for this code (problems.py).
            raise InvalidEvent(
                f"at most {MAX_BATCH} events per push: send the rest in another request",
                code="batch-too-large",
                pointer="/events",
            )
        return with_retries(lambda: self._push_once(tenant_id, principal, raw_events))

    def _push_once(
        self, tenant_id: str, principal: Principal, raw_events: Sequence[object]
    ) -> PushOutcome:
        now = self._clock.now()
        with self._uow_factory() as uow:
            known = known_tenant_for(uow, tenant_id, principal, self._tenants)
            batch = PushBatch(uow, tenant_id, principal, now, self._types, self._ids)
            batch.parse(raw_events)
            batch.claim()
            batch.apply_all()
            changes = changes_of(batch, self._detector, known.rules)
            write_changes(uow, tenant_id, changes, now)
            enqueue_applied(uow, known.tenant, changes.applied, now)
            uow.commit()
        return PushOutcome(results=changes.results)
