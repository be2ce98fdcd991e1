"""In-memory external-sync storage (the reference the SQL adapters are tested against)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from ports.external_store import (
    Direction,
    IdMapping,
    NewOutboxRow,
    OutboxRow,
    OutboxStatus,
    SyncRun,
)


class MemoryExternal:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def enqueue(
        self, tenant_id: str, system: str, rows: Sequence[NewOutboxRow], now: datetime
    ) -> None:
        table = self._state.outbox[tenant_id]
        for row in rows:
            if (system, row.event_guid) in table:
                continue
            table[(system, row.event_guid)] = OutboxRow(
                position=self._state.next_outbox,
                system=system,
                event_guid=row.event_guid,
                entity_guid=row.entity_guid,
                op=row.op,
                idempotency_key=row.idempotency_key,
                created_at=now,
                updated_at=now,
            )
            self._state.next_outbox += 1

    def _ordered(self, tenant_id: str) -> list[OutboxRow]:
        return sorted(self._state.outbox[tenant_id].values(), key=lambda r: r.position)

    def due(self, tenant_id: str, system: str, now: datetime, limit: int) -> list[OutboxRow]:
        return [
            r
            for r in self._ordered(tenant_id)
            if r.system == system
            and r.status == "pending"
            and (r.next_attempt_at is None or r.next_attempt_at <= now)
        ][:limit]

    def settle(self, tenant_id: str, rows: Sequence[OutboxRow], now: datetime) -> None:
        table = self._state.outbox[tenant_id]
        for row in rows:
            if (row.system, row.event_guid) in table:
                table[(row.system, row.event_guid)] = attrs.evolve(row, updated_at=now)

    def outbox(
        self,
        tenant_id: str,
        system: str | None,
        statuses: Collection[OutboxStatus],
        limit: int,
        offset: int,
    ) -> list[OutboxRow]:
        rows = [
            r
            for r in self._ordered(tenant_id)
            if r.status in statuses and (system is None or r.system == system)
        ]
        return rows[offset : offset + limit]

    def requeue(self, tenant_id: str, event_guids: Collection[str], now: datetime) -> int:
        table, wanted, count = self._state.outbox[tenant_id], set(event_guids), 0
        for key, row in list(table.items()):
            if row.event_guid in wanted and row.status in ("dead", "rejected"):
                table[key] = attrs.evolve(
                    row,
                    status="pending",
                    attempts=0,
                    next_attempt_at=None,
                    last_error=None,
                    updated_at=now,
                )
                count += 1
        return count

    def counts(self, tenant_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._state.outbox[tenant_id].values():
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def mapped(
        self, tenant_id: str, system: str, entity_guids: Collection[str]
    ) -> dict[str, IdMapping]:
        table = self._state.id_map[tenant_id]
        return {g: table[(system, g)] for g in entity_guids if (system, g) in table}

    def mapped_external(
        self, tenant_id: str, system: str, model: str, external_ids: Collection[str]
    ) -> dict[str, IdMapping]:
        wanted = set(external_ids)
        return {
            m.external_id: m
            for (s, _), m in self._state.id_map[tenant_id].items()
            if s == system and m.external_model == model and m.external_id in wanted
        }

    def map_ids(self, tenant_id: str, system: str, mappings: Sequence[IdMapping]) -> None:
        table = self._state.id_map[tenant_id]
        for mapping in mappings:
            for key, old in list(table.items()):
                same_remote = (
                    old.external_model == mapping.external_model
                    and old.external_id == mapping.external_id
                )
                if key[0] == system and same_remote and key[1] != mapping.entity_guid:
                    del table[key]
            table[(system, mapping.entity_guid)] = mapping

    def cursor(self, tenant_id: str, system: str, direction: Direction) -> str | None:
        found = self._state.cursors[tenant_id].get((system, direction))
        return None if found is None else found[0]

    def set_cursor(
        self, tenant_id: str, system: str, direction: Direction, cursor: str, now: datetime
    ) -> None:
        self._state.cursors[tenant_id][(system, direction)] = (cursor, now)

    def save_run(self, run: SyncRun) -> None:
        self._state.runs[run.id] = run

    def set_callback_hash(
        self, tenant_id: str, system: str, token_hash: str, now: datetime
    ) -> None:
        self._state.cursors[tenant_id][(system, "callback")] = (token_hash, now)

    def callback_hash(self, tenant_id: str, system: str) -> str | None:
        found = self._state.cursors[tenant_id].get((system, "callback"))
        return None if found is None else found[0]

    def run(self, run_id: str) -> SyncRun | None:
        return self._state.runs.get(run_id)

    def runs(self, tenant_id: str, limit: int, offset: int) -> list[SyncRun]:
        mine = [r for r in self._state.runs.values() if r.tenant_id == tenant_id]
        mine.sort(key=lambda r: (r.started_at, r.id), reverse=True)
        return mine[offset : offset + limit]
