"""Push: accept a batch of device events in one transaction, with a result per event.

Order of work inside the unit of work (see architecture.md, "The sync feed"):
parse -> lock the entities the batch names -> claim the guids (idempotency, also against a
concurrent re-push) -> load -> apply each event (fast path) or re-fold when it arrives late ->
write entities/conflicts/audit/duplicates/quarantine -> number the applied events -> commit.
Numbering comes last so the per-tenant serialised section is as short as possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import attrs

from application.access import tenant_for
from application.duplicate_detection import DuplicateDetector
from application.retry import with_retries
from domain.duplicates import DuplicateRules, pair_key
from domain.entities import Entity
from domain.errors import DomainError, InvalidEvent
from domain.event_parsing import event_guid_of, parse_event
from domain.event_types import EventTypes
from domain.events import Event
from domain.fold import Fold
from domain.refold import refold
from domain.users import Principal
from ports.clock import Clock, IdGenerator
from ports.repositories import AuditEntry, RejectedEvent, UnitOfWork, UnitOfWorkFactory

MAX_BATCH = 1000
Status = Literal["applied", "duplicate", "rejected"]


@attrs.frozen(kw_only=True)
class EventResult:
    guid: str | None
    status: Status
    code: str | None = None
    message: str | None = None


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
    ) -> None:
        self._uow_factory, self._clock, self._ids = uow_factory, clock, ids
        self._types, self._detector = types, detector

    def __call__(
        self, tenant_id: str, principal: Principal, raw_events: Sequence[object]
    ) -> PushOutcome:
        if len(raw_events) > MAX_BATCH:
            raise InvalidEvent(f"at most {MAX_BATCH} events per push", code="batch-too-large")
        return with_retries(lambda: self._push_once(tenant_id, principal, raw_events))

    def _push_once(
        self, tenant_id: str, principal: Principal, raw_events: Sequence[object]
    ) -> PushOutcome:
        now = self._clock.now()
        with self._uow_factory() as uow:
            tenant = tenant_for(uow, tenant_id, principal)
            batch = _Batch(uow, tenant_id, principal, now, self._types, self._ids)
            batch.parse(raw_events)
            batch.claim()
            batch.apply_all()
            rules = DuplicateRules.from_config(tenant.config.get("duplicateDetection"))
            batch.write(self._detector, rules)
            uow.commit()
        return PushOutcome(results=tuple(batch.results))


class _Batch:
    """The state of one push while its unit of work is open."""

    def __init__(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        principal: Principal,
        now: datetime,
        types: EventTypes,
        ids: IdGenerator,
    ) -> None:
        self.uow, self.tenant_id, self.principal, self.now = uow, tenant_id, principal, now
        self.types, self.ids = types, ids
        self.results: list[EventResult] = []
        self.raw: list[object] = []
        self.pending: dict[int, Event] = {}  # input index -> parsed event awaiting its claim
        self.applied: dict[str, Event] = {}
        self.touches: dict[str, set[str]] = {}
        self.rejected: list[RejectedEvent] = []
        self.failed_claims: list[str] = []  # claimed, then rejected while applying
        self.fold = Fold()
        # Latest order key of applied events that touched entities which do not exist (e.g. a
        # delete of a not-yet-created entity): an earlier-sorting arrival must re-fold them too.
        self.phantom_keys: dict[str, tuple[datetime, str]] = {}

    # -- 1. parse ------------------------------------------------------------------------------
    def parse(self, raw_events: Sequence[object]) -> None:
        seen: dict[str, Event] = {}
        for index, raw in enumerate(raw_events):
            self.raw.append(raw)
            self.results.append(EventResult(guid=event_guid_of(raw), status="applied"))
            try:
                event = parse_event(raw)
                if not self.types.knows(event.type):
                    raise InvalidEvent(
                        f"unknown event type {event.type!r}",
                        code="invalid-event-type",
                        pointer="/type",
                    )
            except DomainError as error:
                self._reject(index, error.code, error.message)
                continue
            event = attrs.evolve(event, received_at=self.now, pushed_by=self.principal.user_id)
            earlier = seen.get(event.guid)
            if earlier is not None:
                self._repeat(index, event, earlier)
                continue
            seen[event.guid] = event
            self.pending[index] = event

    def _repeat(self, index: int, event: Event, earlier: Event) -> None:
        if event.same_content(earlier):
            self.results[index] = EventResult(guid=event.guid, status="duplicate")
        else:
            self._reject(index, "guid-reuse", "this guid is already used by a different event")

    def _reject(self, index: int, code: str, message: str) -> None:
        guid = self.results[index].guid
        self.results[index] = EventResult(guid=guid, status="rejected", code=code, message=message)
        self.rejected.append(
            RejectedEvent(
                guid=guid or f"no-guid-{self.ids.new_id()}",
                raw=self.raw[index],
                code=code,
                message=message,
                received_at=self.now,
                pushed_by=self.principal.user_id,
            )
        )

    # -- 2. lock + claim -------------------------------------------------------------------------
    def claim(self) -> None:
        if not self.pending:
            return
        named = set().union(*(self.types.touches(e) for e in self.pending.values()))
        self.uow.lock_entities(self.tenant_id, sorted(named))
        events = sorted(self.pending.values(), key=lambda e: e.guid)  # stable lock order
        claimed = self.uow.events.claim(self.tenant_id, events)
        unclaimed = [e.guid for e in events if e.guid not in claimed]
        stored = self.uow.events.get_many(self.tenant_id, unclaimed) if unclaimed else {}
        for index, event in list(self.pending.items()):
            if event.guid in claimed:
                continue
            del self.pending[index]
            previous = stored.get(event.guid)
            if previous is not None:
                self._repeat(index, event, previous)
            else:  # vanished between claim and read: impossible inside one transaction
                self._reject(index, "guid-reuse", "this guid could not be claimed")
        self._load(named)

    def _load(self, guids: set[str]) -> None:
        """Load entities (and, for cascading events, their member subtrees) into the fold."""
        cascading = any(self.types.needs_member_closure(e) for e in self.pending.values())
        todo = {g for g in guids if g not in self.fold.entities}
        while todo:
            found = self.uow.entities.get_many(self.tenant_id, todo)
            absent = todo - set(found)
            self.fold.load(found.values(), absent=absent)
            self._note_phantoms(absent)
            todo = set()
            if cascading:
                for entity in found.values():
                    todo.update(m for m in entity.member_ids if m not in self.fold.entities)

    def _note_phantoms(self, absent: set[str]) -> None:
        if not absent:
            return
        for event in self.uow.events.touching(self.tenant_id, absent).values():
            for guid in absent & self.uow.events.touches_of(self.tenant_id, [event.guid]).get(
                event.guid, set()
            ):
                self._raise_phantom(guid, event.order_key)

    def _raise_phantom(self, guid: str, key: tuple[datetime, str]) -> None:
        if guid not in self.phantom_keys or self.phantom_keys[guid] < key:
            self.phantom_keys[guid] = key

    def _is_late(self, guid: str, before: Entity | None, event: Event) -> bool:
        if before is None:
            phantom = self.phantom_keys.get(guid)
            return phantom is not None and phantom > event.order_key
        return _sorts_after(before, event)

    # -- 3. apply --------------------------------------------------------------------------------
    def apply_all(self) -> None:
        for index, event in self.pending.items():
            try:
                self._apply(event)
            except DomainError as error:
                self.failed_claims.append(event.guid)
                self._reject(index, error.code, error.message)
                continue
            self.applied[event.guid] = event
            self.results[index] = EventResult(guid=event.guid, status="applied")

    def _apply(self, event: Event) -> None:
        if self.types.needs_member_closure(event):
            self._load({event.entity_guid})
        self.types.apply(self.fold, event)
        before = self.fold.previous_states()
        touched = self.fold.touched.get(event.guid, set()) | self.types.touches(event)
        if not any(
            self._is_late(g, before.get(g, self.fold.entities.get(g)), event) for g in touched
        ):
            self.fold.commit()
            self._remember(event, touched)
            return
        self.fold.rollback()
        self._refold(event)

    def _remember(self, event: Event, touched: set[str]) -> None:
        self.touches[event.guid] = touched
        for guid in touched:
            if self.fold.entities.get(guid) is None:
                self._raise_phantom(guid, event.order_key)

    def _refold(self, event: Event) -> None:
        """``event`` sorts before something already applied: rebuild its entity closure."""
        guids = set(self.types.touches(event))
        events: dict[str, Event] = {}
        frontier = set(guids)
        while frontier:
            stored = self.uow.events.touching(self.tenant_id, frontier)
            batch = {g: e for g, e in self.applied.items() if self.touches[g] & frontier}
            new_events = {**stored, **batch}
            events.update(new_events)
            touched = self.uow.events.touches_of(self.tenant_id, list(stored))
            reach = set().union(set(), *touched.values(), *(self.touches[g] for g in batch))
            frontier = reach - guids
            guids |= reach
        events[event.guid] = event
        folded = refold(events.values(), self.types, new_event_guids={event.guid})
        self.fold.replace(guids, folded)
        self.fold.conflicts.extend(folded.conflicts)
        self.fold.audit.extend(folded.audit)
        self.fold.resolutions.extend(r for r in folded.resolutions if r.event_guid == event.guid)
        for guid, refolded in events.items():
            touched = folded.touched.get(guid, set()) | self.types.touches(refolded)
            self.touches[guid] = touched
            for entity_guid in touched:
                if folded.entities.get(entity_guid) is None:
                    self.fold.entities.setdefault(entity_guid, None)
                    self._raise_phantom(entity_guid, refolded.order_key)

    # -- 4. write --------------------------------------------------------------------------------
    def write(self, detector: DuplicateDetector, rules: DuplicateRules) -> None:
        uow, tenant, now = self.uow, self.tenant_id, self.now
        if self.failed_claims:
            uow.events.release(tenant, self.failed_claims)
        changed = [
            e for g in sorted(self.fold.changed) if (e := self.fold.entities.get(g)) is not None
        ]
        keys = detector.keys_for(changed, rules)
        if changed:
            uow.entities.save_many(tenant, changed, keys)
        if self.fold.removed:
            uow.entities.remove_many(tenant, sorted(self.fold.removed))
        if self.fold.conflicts:
            unique = {c.id: attrs.evolve(c, detected_at=now) for c in self.fold.conflicts}
            uow.conflicts.add_many(tenant, list(unique.values()))
        if self.fold.audit:
            uow.audit.add_many(
                tenant, [_audit_entry(a, self.ids.new_id()) for a in self.fold.audit]
            )
        for resolution in self.fold.resolutions:
            status = "deleted" if resolution.deleted else "kept-both"
            uow.duplicates.set_status(
                tenant,
                pair_key(resolution.entity_guid, resolution.duplicate_guid),
                status,
                now,
                resolution.event_guid,
            )
        if self.fold.deleted:
            uow.duplicates.drop_pending_for(tenant, sorted(self.fold.deleted))
        live = [e for e in changed if not e.deleted]
        detector.detect(uow, tenant, rules, live, keys, now)
        for rejected in self.rejected:
            uow.quarantine.put(tenant, rejected)
        if self.applied:
            uow.quarantine.remove(tenant, list(self.applied))
            uow.events.record_touches(tenant, {g: self.touches[g] for g in self.touches})
            uow.events.number(tenant, list(self.applied))


def _sorts_after(entity: Entity | None, event: Event) -> bool:
    return bool(entity and entity.last_event_key and entity.last_event_key > event.order_key)


def _audit_entry(change, guid: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    return AuditEntry(
        id=None,
        guid=guid,
        timestamp=change.timestamp,
        user_id=change.user_id,
        action=change.action,
        entity_guid=change.entity_guid,
        event_guid=change.event_guid,
        changes=change.changes,
    )
