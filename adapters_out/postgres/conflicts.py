"""PostgreSQL conflict records: concurrent edits, resolved by rule, kept for review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from adapters_out.postgres.codec import jsonb_texts
from adapters_out.postgres.session import Session
from domain.conflicts import Conflict

_SELECT_CONFLICT = (
    "SELECT id, entity_guid, kind, field, winner_event_guid, loser_event_guid, winner_value,"
    " loser_value, rule, status, resolution, detected_at, resolved_at, resolved_by FROM conflicts"
)
_CONFLICT_ORDER = " ORDER BY detected_at ASC NULLS LAST, id"


def _conflict(row: Any) -> Conflict:
    return Conflict(
        id=row[0],
        entity_guid=row[1],
        kind=row[2],
        field=row[3],
        winner_event_guid=row[4],
        loser_event_guid=row[5],
        winner_value=row[6],
        loser_value=row[7],
        rule=row[8],
        status=row[9],
        resolution=row[10],
        detected_at=row[11],
        resolved_at=row[12],
        resolved_by=row[13],
    )


def _conflict_arrays(conflicts: list[Conflict]) -> tuple[Any, ...]:
    return (
        [c.id for c in conflicts],
        [c.entity_guid for c in conflicts],
        [c.kind for c in conflicts],
        [c.field for c in conflicts],
        [c.winner_event_guid for c in conflicts],
        [c.loser_event_guid for c in conflicts],
        jsonb_texts(c.winner_value for c in conflicts),
        jsonb_texts(c.loser_value for c in conflicts),
        [c.rule for c in conflicts],
        [c.status for c in conflicts],
        [c.resolution for c in conflicts],
        [c.detected_at for c in conflicts],
        [c.resolved_at for c in conflicts],
        [c.resolved_by for c in conflicts],
    )


_INSERT_CONFLICTS = (
    "INSERT INTO conflicts (tenant_id, id, entity_guid, kind, field, winner_event_guid,"
    " loser_event_guid, winner_value, loser_value, rule, status, resolution, detected_at,"
    " resolved_at, resolved_by)"
    " SELECT %s, * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[],"
    " %b::text[], %b::jsonb[], %b::jsonb[], %b::text[], %b::text[], %b::text[],"
    " %b::timestamptz[], %b::timestamptz[], %b::text[])"
    " ON CONFLICT (tenant_id, id)"
)


class PgConflicts:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_many(self, tenant_id: str, conflicts: Iterable[Conflict]) -> int:
        batch = sorted(conflicts, key=lambda c: c.id)
        if not batch:
            return 0
        rows = self._db.write(
            _INSERT_CONFLICTS + " DO NOTHING RETURNING 1", (tenant_id, *_conflict_arrays(batch))
        ).fetchall()
        return len(rows)

    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None:
        row = self._db.read(
            _SELECT_CONFLICT + " WHERE tenant_id = %s AND id = %s", (tenant_id, conflict_id)
        ).fetchone()
        return None if row is None else _conflict(row)

    def list(self, tenant_id: str, status: str | None, limit: int, offset: int) -> list[Conflict]:
        rows = self._db.read(
            _SELECT_CONFLICT
            + " WHERE tenant_id = %s AND (%s::text IS NULL OR status = %s)"
            + _CONFLICT_ORDER
            + " LIMIT %s OFFSET %s",
            (tenant_id, status, status, max(0, limit), max(0, offset)),
        ).fetchall()
        return [_conflict(r) for r in rows]

    def update(self, tenant_id: str, conflict: Conflict) -> None:
        self._db.write(
            _INSERT_CONFLICTS + " DO UPDATE SET entity_guid = EXCLUDED.entity_guid,"
            " kind = EXCLUDED.kind, field = EXCLUDED.field,"
            " winner_event_guid = EXCLUDED.winner_event_guid,"
            " loser_event_guid = EXCLUDED.loser_event_guid,"
            " winner_value = EXCLUDED.winner_value, loser_value = EXCLUDED.loser_value,"
            " rule = EXCLUDED.rule, status = EXCLUDED.status, resolution = EXCLUDED.resolution,"
            " detected_at = EXCLUDED.detected_at, resolved_at = EXCLUDED.resolved_at,"
            " resolved_by = EXCLUDED.resolved_by",
            (tenant_id, *_conflict_arrays([conflict])),
        )

    def count(self, tenant_id: str, status: str | None) -> int:
        row = self._db.read(
            "SELECT count(*) FROM conflicts"
            " WHERE tenant_id = %s AND (%s::text IS NULL OR status = %s)",
            (tenant_id, status, status),
        ).fetchone()
        return row[0] if row else 0
