"""In-memory event store and feed."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from domain.events import Event
from ports.repositories import FeedStatus


class MemoryEvents:
    def __init__(self, state: MemoryState) -> None:
        self._s = state
        self._claimed: dict[str, set[str]] = {}  # by this unit of work, not yet numbered

    def claim(self, tenant_id: str, events: Sequence[Event]) -> set[str]:
        stored = self._s.events.get(tenant_id, {})
        mine = self._claimed.setdefault(tenant_id, set())
        fresh = {e.guid for e in events if e.guid not in stored and e.guid not in mine}
        mine |= fresh
        return fresh

    def number(self, tenant_id: str, events_in_order: Sequence[Event]) -> list[int]:
        mine = self._claimed.get(tenant_id, set())
        guids = [e.guid for e in events_in_order]
        if len(set(guids)) != len(guids) or not mine.issuperset(guids):
            raise ValueError("only events claimed in this unit of work can be numbered, once")
        head = self._s.heads.get(tenant_id, 0)
        stored, feed, seqs = self._s.events[tenant_id], self._s.feed[tenant_id], []
        for event in events_in_order:
            head += 1
            mine.discard(event.guid)
            stored[event.guid] = attrs.evolve(event, seq=head)
            feed[head] = event.guid
            seqs.append(head)
        self._s.heads[tenant_id] = head
        return seqs

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Event]:
        stored = self._s.events.get(tenant_id, {})
        return {g: stored[g] for g in guids if g in stored}

    def record_touches(self, tenant_id: str, touches: Mapping[str, Collection[str]]) -> None:
        forward, backward = self._s.touches[tenant_id], self._s.touched_by[tenant_id]
        for event_guid, entity_guids in touches.items():
            forward.setdefault(event_guid, set()).update(entity_guids)
            for entity_guid in entity_guids:
                backward.setdefault(entity_guid, set()).add(event_guid)

    def touching(self, tenant_id: str, entity_guids: Collection[str]) -> dict[str, Event]:
        backward = self._s.touched_by.get(tenant_id, {})
        stored = self._s.events.get(tenant_id, {})
        found = {g for e in entity_guids for g in backward.get(e, ())}
        return {g: stored[g] for g in found if g in stored}

    def touches_of(self, tenant_id: str, event_guids: Collection[str]) -> dict[str, set[str]]:
        forward = self._s.touches.get(tenant_id, {})
        return {g: set(forward[g]) for g in event_guids if g in forward}

    def page(
        self, tenant_id: str, after: int, limit: int, max_bytes: int | None = None
    ) -> list[Event]:
        feed, stored = self._s.feed.get(tenant_id, {}), self._s.events.get(tenant_id, {})
        head = self._s.heads.get(tenant_id, 0)
        out: list[Event] = []
        seq, size = after + 1, 0
        while seq <= head and len(out) < limit:
            event = stored[feed[seq]]
            if max_bytes is not None:
                size += len(json.dumps(event.data, ensure_ascii=False).encode())
                if out and size > max_bytes:
                    break
            out.append(event)
            seq += 1
        return out

    def head(self, tenant_id: str) -> int:
        return self._s.heads.get(tenant_id, 0)

    def _numbered(self, tenant_id: str) -> list[Event]:
        return [e for e in self._s.events.get(tenant_id, {}).values() if e.seq is not None]

    def legacy_start(self, tenant_id: str, since: datetime, received_floor: datetime) -> int:
        numbered = self._numbered(tenant_id)
        exact = [e.seq for e in numbered if e.timestamp == since]
        if exact:
            return min(exact) - 1  # type: ignore[type-var,operator]
        later = [
            e.seq
            for e in numbered
            if e.timestamp >= since
            or (e.received_at is not None and e.received_at >= received_floor)
        ]
        return min(later) - 1 if later else self.head(tenant_id)  # type: ignore[type-var,operator]

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[Event]:
        found = [e for e in self._numbered(tenant_id) if e.entity_guid == entity_guid]
        return sorted(found, key=lambda e: (e.timestamp, e.seq))[:limit]

    def status(self, tenant_id: str) -> FeedStatus:
        numbered = self._numbered(tenant_id)
        received = [e.received_at for e in numbered if e.received_at is not None]
        return FeedStatus(
            tenant_id=tenant_id,
            head=self.head(tenant_id),
            events=len(numbered),
            last_push_at=max(received) if received else None,
            quarantined=len(self._s.quarantine.get(tenant_id, {})),
        )
