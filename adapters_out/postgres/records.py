"""PostgreSQL quarantine (rejected events, never lost) and the append-only audit log."""

# ruff: noqa: S608 - SQL text is assembled only from module constants and keyed.py's
# fragments (table and column names are fixed identifiers, values are always parameters).

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from adapters_out.postgres.codec import jsonb, jsonb_texts
from adapters_out.postgres.keyed import each_key, keyed_params
from adapters_out.postgres.session import Session
from ports.repositories import AuditEntry, RejectedEvent

_SELECT_REJECTED = (
    "SELECT guid, raw, code, message, received_at, pushed_by, attempts FROM quarantine"
)


_REMOVE_REJECTED = (
    "DELETE FROM quarantine q USING (SELECT r.row_id"
    + each_key("quarantine", "guid")
    + ") AS v WHERE q.ctid = v.row_id"
)


def _rejected(row: Any) -> RejectedEvent:
    return RejectedEvent(
        guid=row[0],
        raw=row[1],
        code=row[2],
        message=row[3],
        received_at=row[4],
        pushed_by=row[5],
        attempts=row[6],
    )


class PgQuarantine:
    def __init__(self, db: Session) -> None:
        self._db = db

    def put(self, tenant_id: str, rejected: RejectedEvent) -> None:
        # A repeat replaces the record (latest raw event and reason) and counts the attempt.
        self._db.write(
            "INSERT INTO quarantine AS q (tenant_id, guid, raw, code, message, received_at,"
            " pushed_by, attempts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (tenant_id, guid) DO UPDATE SET raw = EXCLUDED.raw,"
            " code = EXCLUDED.code, message = EXCLUDED.message,"
            " received_at = EXCLUDED.received_at, pushed_by = EXCLUDED.pushed_by,"
            " attempts = q.attempts + 1",
            (
                tenant_id,
                rejected.guid,
                jsonb(rejected.raw),
                rejected.code,
                rejected.message,
                rejected.received_at,
                rejected.pushed_by,
                rejected.attempts,
            ),
        )

    def get(self, tenant_id: str, guid: str) -> RejectedEvent | None:
        row = self._db.read(
            _SELECT_REJECTED + " WHERE tenant_id = %s AND guid = %s", (tenant_id, guid)
        ).fetchone()
        return None if row is None else _rejected(row)

    def list(self, tenant_id: str, limit: int, offset: int) -> list[RejectedEvent]:
        rows = self._db.read(
            _SELECT_REJECTED + " WHERE tenant_id = %s"
            " ORDER BY received_at DESC, guid DESC LIMIT %s OFFSET %s",
            (tenant_id, max(0, limit), max(0, offset)),
        ).fetchall()
        return [_rejected(r) for r in rows]

    def remove(self, tenant_id: str, guids: Collection[str]) -> None:
        if guids:
            self._db.write(_REMOVE_REJECTED, keyed_params(tenant_id, guids))

    def count(self, tenant_id: str) -> int:
        row = self._db.read(
            "SELECT count(*) FROM quarantine WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        return row[0] if row else 0


_SELECT_AUDIT = (
    'SELECT id, guid, "timestamp", user_id, action, entity_guid, event_guid, changes,'
    " signature, origin FROM audit_log"
)


def _audit(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row[0],
        guid=row[1],
        timestamp=row[2],
        user_id=row[3],
        action=row[4],
        entity_guid=row[5],
        event_guid=row[6],
        changes=row[7],
        signature=row[8],
        origin=row[9],
    )


class PgAudit:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_many(self, tenant_id: str, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        # Ids follow input order (unnest keeps it), like the in-memory counter.
        self._db.write(
            'INSERT INTO audit_log (tenant_id, guid, "timestamp", user_id, action, entity_guid,'
            " event_guid, changes, signature, origin)"
            " SELECT %s, * FROM unnest(%b::text[], %b::timestamptz[], %b::text[], %b::text[],"
            " %b::text[], %b::text[], %b::jsonb[], %b::text[], %b::text[])",
            (
                tenant_id,
                [e.guid for e in entries],
                [e.timestamp for e in entries],
                [e.user_id for e in entries],
                [e.action for e in entries],
                [e.entity_guid for e in entries],
                [e.event_guid for e in entries],
                jsonb_texts(dict(e.changes) for e in entries),
                [e.signature for e in entries],
                [e.origin for e in entries],
            ),
        )

    def since(
        self, tenant_id: str, since: datetime | None, limit: int, after_id: int = 0
    ) -> list[AuditEntry]:
        rows = self._db.read(
            _SELECT_AUDIT + " WHERE tenant_id = %s"
            ' AND (%s::timestamptz IS NULL OR "timestamp" > %s) AND id > %s'
            ' ORDER BY "timestamp", id LIMIT %s',
            (tenant_id, since, since, after_id, max(0, limit)),
        ).fetchall()
        return [_audit(r) for r in rows]

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[AuditEntry]:
        rows = self._db.read(
            _SELECT_AUDIT + ' WHERE tenant_id = %s AND entity_guid = %s ORDER BY "timestamp", id'
            " LIMIT %s",
            (tenant_id, entity_guid, max(0, limit)),
        ).fetchall()
        return [_audit(r) for r in rows]
