"""SQLite conflict records (concurrent edits, kept for review)."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from adapters_out.sqlite.codec import dump, from_text_or_none, load, to_text_or_none
from domain.conflicts import Conflict

_CONFLICT_COLUMNS = (
    "id, entity_guid, kind, field, winner_event_guid, loser_event_guid, winner_value,"
    " loser_value, rule, status, resolution, detected_at, resolved_at, resolved_by"
)
_CONFLICT_INSERT = (
    f"INSERT INTO conflicts (tenant_id, {_CONFLICT_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _conflict(row: sqlite3.Row) -> Conflict:
    return Conflict(
        id=row["id"],
        entity_guid=row["entity_guid"],
        kind=row["kind"],
        field=row["field"],
        winner_event_guid=row["winner_event_guid"],
        loser_event_guid=row["loser_event_guid"],
        winner_value=load(row["winner_value"]),
        loser_value=load(row["loser_value"]),
        rule=row["rule"],
        status=row["status"],
        resolution=row["resolution"],
        detected_at=from_text_or_none(row["detected_at"]),
        resolved_at=from_text_or_none(row["resolved_at"]),
        resolved_by=row["resolved_by"],
    )


def _conflict_params(tenant_id: str, c: Conflict) -> tuple[object, ...]:
    return (
        tenant_id,
        c.id,
        c.entity_guid,
        c.kind,
        c.field,
        c.winner_event_guid,
        c.loser_event_guid,
        dump(c.winner_value),
        dump(c.loser_value),
        c.rule,
        c.status,
        c.resolution,
        to_text_or_none(c.detected_at),
        to_text_or_none(c.resolved_at),
        c.resolved_by,
    )


# NULL detection times sort last, as in the reference adapter.
BY_DETECTION = "ORDER BY detected_at IS NULL, detected_at"


def status_filter(status: str | None) -> tuple[str, list[object]]:
    return ("", []) if status is None else (" AND status = ?", [status])


class SqliteConflicts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_many(self, tenant_id: str, conflicts: Iterable[Conflict]) -> int:
        cursor = self._conn.executemany(
            _CONFLICT_INSERT + " ON CONFLICT (tenant_id, id) DO NOTHING",
            [_conflict_params(tenant_id, c) for c in conflicts],
        )
        return max(cursor.rowcount, 0)

    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None:
        row = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts WHERE tenant_id = ? AND id = ?",
            (tenant_id, conflict_id),
        ).fetchone()
        return _conflict(row) if row else None

    def list(self, tenant_id: str, status: str | None, limit: int, offset: int) -> list[Conflict]:
        where, params = status_filter(status)
        rows = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts WHERE tenant_id = ?{where}"
            f" {BY_DETECTION}, id LIMIT ? OFFSET ?",
            (tenant_id, *params, max(limit, 0), max(offset, 0)),
        )
        return [_conflict(row) for row in rows]

    def update(self, tenant_id: str, conflict: Conflict) -> None:
        columns = _CONFLICT_COLUMNS.replace(" ", "").split(",")[1:]
        self._conn.execute(
            _CONFLICT_INSERT
            + " ON CONFLICT (tenant_id, id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns),
            _conflict_params(tenant_id, conflict),
        )

    def count(self, tenant_id: str, status: str | None) -> int:
        where, params = status_filter(status)
        sql = f"SELECT COUNT(*) FROM conflicts WHERE tenant_id = ?{where}"
        return int(self._conn.execute(sql, (tenant_id, *params)).fetchone()[0])
