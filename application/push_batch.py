"""The state of one push while its unit of work is open: parse, claim, load, apply, re-fold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from application.push_results import EventResult
from domain.errors import DomainError
from domain.event_parsing import event_guid_of, parse_event
from domain.event_types import EventTypes
from domain.events import Event
from domain.fold import Fold
from domain.json_values import storable_copy
from domain.lateness import Lateness
from domain.refold import refold
from domain.users import Principal
from ports.clock import IdGenerator
from ports.repositories import RejectedEvent, UnitOfWork


class PushBatch:
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
        self.fold = Fold()
        self.static_touches: dict[str, set[str]] = {}  # entities each event names, by guid
        self.lateness = Lateness()  # the domain's rules for late events and phantom entities

    # -- 1. parse ------------------------------------------------------------------------------
    def parse(self, raw_events: Sequence[object]) -> None:
        seen: dict[str, Event] = {}
        for index, raw in enumerate(raw_events):
            self.raw.append(raw)
            self.results.append(EventResult(guid=event_guid_of(raw), status="applied"))
            try:
                event = parse_event(raw)
                self.types.applier_for(event)  # unknown types are refused before any claim
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
                raw=storable_copy(self.raw[index]),
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
        self.static_touches.update((e.guid, self.types.touches(e)) for e in self.pending.values())
        named = set().union(*self.static_touches.values())
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
        events = self.uow.events.touching(self.tenant_id, absent)
        touches = self.uow.events.touches_of(self.tenant_id, list(events)) if events else {}
        self.lateness.note_history(absent, events, touches)

    # -- 3. apply --------------------------------------------------------------------------------
    def apply_all(self) -> None:
        for index, event in self.pending.items():
            try:
                self._apply(event)
            except DomainError as error:
                self._reject(index, error.code, error.message)
                continue
            self.applied[event.guid] = event
            self.results[index] = EventResult(guid=event.guid, status="applied")

    def _apply(self, event: Event) -> None:
        if self.types.needs_member_closure(event):
            self._load({event.entity_guid})
        self.types.apply(self.fold, event)
        before = self.fold.previous_states()
        touched = self.fold.touched.get(event.guid, set()) | self.static_touches[event.guid]
        if not self.lateness.any_late(
            event, touched, lambda g: before.get(g, self.fold.entities.get(g))
        ):
            self.fold.commit()
            self.touches[event.guid] = touched
            self.lateness.remember(event, touched, self._exists)
            return
        self.fold.rollback()
        self._refold(event)

    def _exists(self, guid: str) -> bool:
        return self.fold.entities.get(guid) is not None

    def _refold(self, event: Event) -> None:
        """``event`` sorts before something already applied: rebuild its entity closure."""
        guids = set(self.types.touches(event))
        events: dict[str, Event] = {}
        frontier = set(guids)
        while frontier:
            stored = self.uow.events.touching(self.tenant_id, frontier)
            batch = {g: e for g, e in self.applied.items() if self.touches[g] & frontier}
            events.update(stored)
            events.update(batch)
            touched = self.uow.events.touches_of(self.tenant_id, list(stored))
            reach = set().union(*touched.values(), *(self.touches[g] for g in batch))
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
            self.lateness.remember(refolded, touched, lambda g: folded.entities.get(g) is not None)
