"""In-memory conflicts, potential duplicates, quarantine and audit log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from domain.conflicts import Conflict
from domain.duplicates import DuplicateStatus, PotentialDuplicate
from ports.repositories import AuditEntry, RejectedEvent


class MemoryConflicts:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add_many(self, tenant_id: str, conflicts: Iterable[Conflict]) -> int:
        stored, added = self._s.conflicts[tenant_id], 0
        for conflict in conflicts:
            if conflict.id not in stored:
                stored[conflict.id] = conflict
                added += 1
        return added

    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None:
        return self._s.conflicts.get(tenant_id, {}).get(conflict_id)

    def _filtered(self, tenant_id: str, status: str | None) -> list[Conflict]:
        rows = [
            c
            for c in self._s.conflicts.get(tenant_id, {}).values()
            if status is None or c.status == status
        ]
        return sorted(rows, key=lambda c: (c.detected_at is None, c.detected_at, c.id))

    def list(self, tenant_id: str, status: str | None, limit: int, offset: int) -> list[Conflict]:
        return self._filtered(tenant_id, status)[offset : offset + limit]

    def update(self, tenant_id: str, conflict: Conflict) -> None:
        self._s.conflicts[tenant_id][conflict.id] = conflict

    def count(self, tenant_id: str, status: str | None) -> int:
        return len(self._filtered(tenant_id, status))


class MemoryDuplicates:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add_many(self, tenant_id: str, pairs: Iterable[PotentialDuplicate]) -> int:
        stored, added = self._s.duplicates[tenant_id], 0
        for pair in pairs:
            if pair.key not in stored:
                stored[pair.key] = pair
                added += 1
        return added

    def get_many(self, tenant_id: str, keys: Collection[str]) -> dict[str, PotentialDuplicate]:
        stored = self._s.duplicates.get(tenant_id, {})
        return {k: stored[k] for k in keys if k in stored}

    def _filtered(self, tenant_id: str, status: DuplicateStatus | None) -> list[PotentialDuplicate]:
        rows = [
            p
            for p in self._s.duplicates.get(tenant_id, {}).values()
            if status is None or p.status == status
        ]
        return sorted(rows, key=lambda p: (p.detected_at is None, p.detected_at, p.key))

    def list(
        self, tenant_id: str, status: DuplicateStatus | None, limit: int, offset: int
    ) -> list[PotentialDuplicate]:
        return self._filtered(tenant_id, status)[offset : offset + limit]

    def count(self, tenant_id: str, status: DuplicateStatus | None) -> int:
        return len(self._filtered(tenant_id, status))

    def set_status(
        self,
        tenant_id: str,
        key: str,
        status: DuplicateStatus,
        at: datetime,
        event_guid: str | None,
    ) -> None:
        stored = self._s.duplicates[tenant_id]
        current = stored.get(key)
        if current is None:
            first, second = key.split("|", 1)
            current = PotentialDuplicate(
                entity_guid=first, duplicate_guid=second, score=0.0, reasons=(), detected_at=at
            )
        stored[key] = attrs.evolve(
            current, status=status, resolved_at=at, resolved_by_event=event_guid
        )

    def drop_pending_for(self, tenant_id: str, entity_guids: Collection[str]) -> None:
        gone = set(entity_guids)
        stored = self._s.duplicates.get(tenant_id, {})
        for key in [
            k
            for k, p in stored.items()
            if p.status == "pending" and (p.entity_guid in gone or p.duplicate_guid in gone)
        ]:
            del stored[key]


class MemoryQuarantine:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def put(self, tenant_id: str, rejected: RejectedEvent) -> None:
        stored = self._s.quarantine[tenant_id]
        previous = stored.get(rejected.guid)
        attempts = previous.attempts + 1 if previous else rejected.attempts
        stored[rejected.guid] = attrs.evolve(rejected, attempts=attempts)

    def get(self, tenant_id: str, guid: str) -> RejectedEvent | None:
        return self._s.quarantine.get(tenant_id, {}).get(guid)

    def list(self, tenant_id: str, limit: int, offset: int) -> list[RejectedEvent]:
        rows = sorted(
            self._s.quarantine.get(tenant_id, {}).values(),
            key=lambda r: (r.received_at, r.guid),
            reverse=True,
        )
        return rows[offset : offset + limit]

    def remove(self, tenant_id: str, guids: Collection[str]) -> None:
        stored = self._s.quarantine.get(tenant_id, {})
        for guid in guids:
            stored.pop(guid, None)

    def count(self, tenant_id: str) -> int:
        return len(self._s.quarantine.get(tenant_id, {}))


class MemoryAudit:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add_many(self, tenant_id: str, entries: Sequence[AuditEntry]) -> None:
        stored = self._s.audit[tenant_id]
        for entry in entries:
            stored[self._s.next_audit_id] = attrs.evolve(entry, id=self._s.next_audit_id)
            self._s.next_audit_id += 1

    def since(
        self, tenant_id: str, since: datetime | None, limit: int, after_id: int = 0
    ) -> list[AuditEntry]:
        rows = [
            e
            for e in self._s.audit.get(tenant_id, {}).values()
            if (since is None or e.timestamp > since) and (e.id or 0) > after_id
        ]
        return sorted(rows, key=lambda e: (e.timestamp, e.id))[:limit]

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[AuditEntry]:
        rows = [
            e for e in self._s.audit.get(tenant_id, {}).values() if e.entity_guid == entity_guid
        ]
        return sorted(rows, key=lambda e: (e.timestamp, e.id))[:limit]
