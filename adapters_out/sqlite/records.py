"""SQLite quarantine (rejected events, never lost) and the append-only audit log."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from adapters_out.sqlite.codec import chunks, dump, from_text, load, marks, to_text
from ports.repositories import AuditEntry, RejectedEvent

_REJECTED_COLUMNS = "guid, raw, code, message, received_at, pushed_by, attempts"
_AUDIT_COLUMNS = (
    "id, guid, timestamp, user_id, action, entity_guid, event_guid, changes, signature, origin"
)


def _rejected(row: sqlite3.Row) -> RejectedEvent:
    return RejectedEvent(
        guid=row["guid"],
        raw=load(row["raw"]),
        code=row["code"],
        message=row["message"],
        received_at=from_text(row["received_at"]),
        pushed_by=row["pushed_by"],
        attempts=row["attempts"],
    )


def _raw(value: object) -> str:
    """The event exactly as received; anything JSON cannot express is kept as its text."""
    return dump(value, sort_keys=False) if _is_json(value) else dump(repr(value))


def _is_json(value: object) -> bool:
    try:
        dump(value)
    except (TypeError, ValueError):
        return False
    return True


class SqliteQuarantine:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def put(self, tenant_id: str, rejected: RejectedEvent) -> None:
        """Upsert by guid: a repeat increments ``attempts`` and takes the new values."""
        self._conn.execute(
            f"INSERT INTO quarantine (tenant_id, {_REJECTED_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant_id, guid) DO UPDATE SET raw = excluded.raw,"
            " code = excluded.code, message = excluded.message,"
            " received_at = excluded.received_at, pushed_by = excluded.pushed_by,"
            " attempts = quarantine.attempts + 1",
            (
                tenant_id,
                rejected.guid,
                _raw(rejected.raw),
                rejected.code,
                rejected.message,
                to_text(rejected.received_at),
                rejected.pushed_by,
                rejected.attempts,
            ),
        )

    def get(self, tenant_id: str, guid: str) -> RejectedEvent | None:
        row = self._conn.execute(
            f"SELECT {_REJECTED_COLUMNS} FROM quarantine WHERE tenant_id = ? AND guid = ?",
            (tenant_id, guid),
        ).fetchone()
        return _rejected(row) if row else None

    def list(self, tenant_id: str, limit: int, offset: int) -> list[RejectedEvent]:
        rows = self._conn.execute(
            f"SELECT {_REJECTED_COLUMNS} FROM quarantine WHERE tenant_id = ?"
            " ORDER BY received_at DESC, guid DESC LIMIT ? OFFSET ?",
            (tenant_id, max(limit, 0), max(offset, 0)),
        )
        return [_rejected(row) for row in rows]

    def remove(self, tenant_id: str, guids: Collection[str]) -> None:
        for part in chunks(guids):
            self._conn.execute(
                f"DELETE FROM quarantine WHERE tenant_id = ? AND guid IN ({marks(part)})",
                (tenant_id, *part),
            )

    def count(self, tenant_id: str) -> int:
        sql = "SELECT COUNT(*) FROM quarantine WHERE tenant_id = ?"
        return int(self._conn.execute(sql, (tenant_id,)).fetchone()[0])


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        guid=row["guid"],
        timestamp=from_text(row["timestamp"]),
        user_id=row["user_id"],
        action=row["action"],
        entity_guid=row["entity_guid"],
        event_guid=row["event_guid"],
        changes=load(row["changes"]),
        signature=row["signature"],
        origin=row["origin"],
    )


class SqliteAudit:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_many(self, tenant_id: str, entries: Sequence[AuditEntry]) -> None:
        """Ids come from the AUTOINCREMENT key, in input order (storage assigns them)."""
        self._conn.executemany(
            "INSERT INTO audit_log (tenant_id, guid, timestamp, user_id, action, entity_guid,"
            " event_guid, changes, signature, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    tenant_id,
                    e.guid,
                    to_text(e.timestamp),
                    e.user_id,
                    e.action,
                    e.entity_guid,
                    e.event_guid,
                    dump(e.changes),
                    e.signature,
                    e.origin,
                )
                for e in entries
            ],
        )

    def since(
        self, tenant_id: str, since: datetime | None, limit: int, after_id: int = 0
    ) -> list[AuditEntry]:
        where, params = "", []
        if since is not None:
            where, params = " AND timestamp > ?", [to_text(since)]
        rows = self._conn.execute(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ?{where}"
            " AND id > ? ORDER BY timestamp, id LIMIT ?",
            (tenant_id, *params, after_id, max(limit, 0)),
        )
        return [_entry(row) for row in rows]

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[AuditEntry]:
        rows = self._conn.execute(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND entity_guid = ?"
            " ORDER BY timestamp, id LIMIT ?",
            (tenant_id, entity_guid, max(limit, 0)),
        )
        return [_entry(row) for row in rows]
