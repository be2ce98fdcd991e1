"""PostgreSQL potential duplicates, keyed by the unordered pair of entity guids."""

# ruff: noqa: S608 - SQL text is assembled only from module constants and keyed.py's
# fragments (table and column names are fixed identifiers, values are always parameters).

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from adapters_out.postgres.codec import jsonb_texts
from adapters_out.postgres.keyed import each_key, keyed_params
from adapters_out.postgres.session import Session
from domain.duplicates import DuplicateStatus, PotentialDuplicate

_SELECT_PAIR = (
    "SELECT entity_guid, duplicate_guid, score, reasons, status, detected_at, resolved_at,"
    " resolved_by_event FROM potential_duplicates"
)


_GET_MANY = (
    "SELECT r.entity_guid, r.duplicate_guid, r.score, r.reasons, r.status, r.detected_at,"
    " r.resolved_at, r.resolved_by_event" + each_key("potential_duplicates", "pair_key")
)
# Pending pairs naming any of the entities, looked up per entity on either side.
_DROP_PENDING = (
    "DELETE FROM potential_duplicates p USING (SELECT r.row_id"
    + each_key(
        "potential_duplicates", "entity_guid", where="t.status = 'pending'", per_key="OFFSET 0"
    )
    + " UNION SELECT r.row_id"
    + each_key(
        "potential_duplicates", "duplicate_guid", where="t.status = 'pending'", per_key="OFFSET 0"
    )
    + ") AS v WHERE p.ctid = v.row_id"
)


def _pair(row: Any) -> PotentialDuplicate:
    return PotentialDuplicate(
        entity_guid=row[0],
        duplicate_guid=row[1],
        score=row[2],
        reasons=tuple(row[3]),
        status=row[4],
        detected_at=row[5],
        resolved_at=row[6],
        resolved_by_event=row[7],
    )


class PgDuplicates:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_many(self, tenant_id: str, pairs: Iterable[PotentialDuplicate]) -> int:
        batch = sorted(pairs, key=lambda p: p.key)
        if not batch:
            return 0
        rows = self._db.write(
            "INSERT INTO potential_duplicates (tenant_id, pair_key, entity_guid, duplicate_guid,"
            " score, reasons, status, detected_at, resolved_at, resolved_by_event)"
            " SELECT %s, k, e, d, s, ARRAY(SELECT jsonb_array_elements_text(r)), st, da, ra, rb"
            " FROM unnest(%b::text[], %b::text[], %b::text[], %b::float8[], %b::jsonb[],"
            " %b::text[], %b::timestamptz[], %b::timestamptz[], %b::text[])"
            " AS v(k, e, d, s, r, st, da, ra, rb)"
            " ON CONFLICT (tenant_id, pair_key) DO NOTHING RETURNING 1",
            (
                tenant_id,
                [p.key for p in batch],
                [p.entity_guid for p in batch],
                [p.duplicate_guid for p in batch],
                [p.score for p in batch],
                jsonb_texts(list(p.reasons) for p in batch),
                [p.status for p in batch],
                [p.detected_at for p in batch],
                [p.resolved_at for p in batch],
                [p.resolved_by_event for p in batch],
            ),
        ).fetchall()
        return len(rows)

    def get_many(self, tenant_id: str, keys: Collection[str]) -> dict[str, PotentialDuplicate]:
        if not keys:
            return {}
        rows = self._db.read(_GET_MANY, keyed_params(tenant_id, keys)).fetchall()
        pairs = (_pair(r) for r in rows)
        return {p.key: p for p in pairs}

    def list(
        self, tenant_id: str, status: DuplicateStatus | None, limit: int, offset: int
    ) -> list[PotentialDuplicate]:
        rows = self._db.read(
            _SELECT_PAIR + " WHERE tenant_id = %s AND (%s::text IS NULL OR status = %s)"
            " ORDER BY detected_at ASC NULLS LAST, pair_key LIMIT %s OFFSET %s",
            (tenant_id, status, status, max(0, limit), max(0, offset)),
        ).fetchall()
        return [_pair(r) for r in rows]

    def count(self, tenant_id: str, status: DuplicateStatus | None) -> int:
        row = self._db.read(
            "SELECT count(*) FROM potential_duplicates"
            " WHERE tenant_id = %s AND (%s::text IS NULL OR status = %s)",
            (tenant_id, status, status),
        ).fetchone()
        return row[0] if row else 0

    def set_status(
        self,
        tenant_id: str,
        key: str,
        status: DuplicateStatus,
        at: datetime,
        event_guid: str | None,
    ) -> None:
        first, second = key.split("|", 1)
        # An unknown pair is created already resolved, so that "keep both" is remembered.
        self._db.write(
            "INSERT INTO potential_duplicates (tenant_id, pair_key, entity_guid, duplicate_guid,"
            " score, reasons, status, detected_at, resolved_at, resolved_by_event)"
            " VALUES (%s, %s, %s, %s, 0.0, '{}', %s, %s, %s, %s)"
            " ON CONFLICT (tenant_id, pair_key) DO UPDATE SET status = EXCLUDED.status,"
            " resolved_at = EXCLUDED.resolved_at,"
            " resolved_by_event = EXCLUDED.resolved_by_event",
            (tenant_id, key, first, second, status, at, at, event_guid),
        )

    def drop_pending_for(self, tenant_id: str, entity_guids: Collection[str]) -> None:
        if not entity_guids:
            return
        self._db.write(_DROP_PENDING, keyed_params(tenant_id, entity_guids))
