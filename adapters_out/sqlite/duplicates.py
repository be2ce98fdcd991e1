"""SQLite potential duplicates: unordered entity pairs, pending until someone decides."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from datetime import datetime

from adapters_out.sqlite.codec import (
    chunks,
    dump,
    from_text_or_none,
    load,
    marks,
    to_text_or_none,
)
from adapters_out.sqlite.conflicts import BY_DETECTION, status_filter
from domain.duplicates import DuplicateStatus, PotentialDuplicate

_PAIR_COLUMNS = (
    "entity_guid, duplicate_guid, score, reasons, status, detected_at, resolved_at,"
    " resolved_by_event"
)


def _pair(row: sqlite3.Row) -> PotentialDuplicate:
    return PotentialDuplicate(
        entity_guid=row["entity_guid"],
        duplicate_guid=row["duplicate_guid"],
        score=row["score"],
        reasons=tuple(load(row["reasons"])),
        status=row["status"],
        detected_at=from_text_or_none(row["detected_at"]),
        resolved_at=from_text_or_none(row["resolved_at"]),
        resolved_by_event=row["resolved_by_event"],
    )


class SqliteDuplicates:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_many(self, tenant_id: str, pairs: Iterable[PotentialDuplicate]) -> int:
        cursor = self._conn.executemany(
            f"INSERT INTO potential_duplicates (tenant_id, pair_key, {_PAIR_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant_id, pair_key) DO NOTHING",
            [
                (
                    tenant_id,
                    p.key,
                    p.entity_guid,
                    p.duplicate_guid,
                    float(p.score),
                    dump(list(p.reasons)),
                    p.status,
                    to_text_or_none(p.detected_at),
                    to_text_or_none(p.resolved_at),
                    p.resolved_by_event,
                )
                for p in pairs
            ],
        )
        return max(cursor.rowcount, 0)

    def get_many(self, tenant_id: str, keys: Collection[str]) -> dict[str, PotentialDuplicate]:
        found = {}
        for part in chunks(keys):
            rows = self._conn.execute(
                f"SELECT pair_key, {_PAIR_COLUMNS} FROM potential_duplicates"
                f" WHERE tenant_id = ? AND pair_key IN ({marks(part)})",
                (tenant_id, *part),
            )
            found.update((row["pair_key"], _pair(row)) for row in rows)
        return found

    def list(
        self, tenant_id: str, status: DuplicateStatus | None, limit: int, offset: int
    ) -> list[PotentialDuplicate]:
        where, params = status_filter(status)
        rows = self._conn.execute(
            f"SELECT {_PAIR_COLUMNS} FROM potential_duplicates"
            f" WHERE tenant_id = ?{where} {BY_DETECTION}, pair_key LIMIT ? OFFSET ?",
            (tenant_id, *params, max(limit, 0), max(offset, 0)),
        )
        return [_pair(row) for row in rows]

    def count(self, tenant_id: str, status: DuplicateStatus | None) -> int:
        where, params = status_filter(status)
        sql = f"SELECT COUNT(*) FROM potential_duplicates WHERE tenant_id = ?{where}"
        return int(self._conn.execute(sql, (tenant_id, *params)).fetchone()[0])

    def set_status(
        self,
        tenant_id: str,
        key: str,
        status: DuplicateStatus,
        at: datetime,
        event_guid: str | None,
    ) -> None:
        """An unknown pair is created resolved (score 0, detected now), so that a "keep both"
        decision is remembered when the pair is detected later."""
        first, second = key.split("|", 1)
        when = to_text_or_none(at)
        self._conn.execute(
            f"INSERT INTO potential_duplicates (tenant_id, pair_key, {_PAIR_COLUMNS})"
            " VALUES (?, ?, ?, ?, 0.0, '[]', ?, ?, ?, ?)"
            " ON CONFLICT (tenant_id, pair_key) DO UPDATE SET status = excluded.status,"
            " resolved_at = excluded.resolved_at, resolved_by_event = excluded.resolved_by_event",
            (tenant_id, key, first, second, status, when, when, event_guid),
        )

    def drop_pending_for(self, tenant_id: str, entity_guids: Collection[str]) -> None:
        for part in chunks(entity_guids):
            self._conn.execute(
                "DELETE FROM potential_duplicates WHERE tenant_id = ? AND status = 'pending'"
                f" AND (entity_guid IN ({marks(part)}) OR duplicate_guid IN ({marks(part)}))",
                (tenant_id, *part, *part),
            )
