"""PostgreSQL external-sync storage. Outbox rows are appended (identity order) in the push
transaction after its events are numbered, while the tenant's feed lock is held, so identity
order is feed order."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from adapters_out.postgres.codec import jsonb, utc
from adapters_out.postgres.session import Session
from ports.external_store import (
    Direction,
    IdMapping,
    NewOutboxRow,
    OutboxRow,
    OutboxStatus,
    SyncRun,
)

_OUTBOX = (
    "SELECT id, system, event_guid, entity_guid, op, idempotency_key, status, attempts,"
    " next_attempt_at, last_error, external_ref, created_at, updated_at FROM external_outbox"
)
_RUN = (
    "SELECT id, tenant_id, system, trigger, status, started_at, finished_at, pushed, rejected,"
    " pulled, errors FROM external_runs"
)
_MAPPING = "SELECT entity_guid, external_model, external_id, last_seen_version FROM external_id_map"


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        position=r[0],
        system=r[1],
        event_guid=r[2],
        entity_guid=r[3],
        op=r[4],
        idempotency_key=r[5],
        status=r[6],
        attempts=r[7],
        next_attempt_at=None if r[8] is None else utc(r[8]),
        last_error=r[9],
        external_ref=r[10],
        created_at=utc(r[11]),
        updated_at=utc(r[12]),
    )


def _run(r: Any) -> SyncRun:
    return SyncRun(
        id=r[0],
        tenant_id=r[1],
        system=r[2],
        trigger=r[3],
        status=r[4],
        started_at=utc(r[5]),
        finished_at=None if r[6] is None else utc(r[6]),
        pushed=r[7],
        rejected=r[8],
        pulled=r[9],
        errors=tuple(r[10]),
    )


def _mapping(r: Any) -> IdMapping:
    return IdMapping(
        entity_guid=r[0], external_model=r[1], external_id=r[2], last_seen_version=r[3]
    )


class PgExternal:
    def __init__(self, db: Session) -> None:
        self._db = db

    def enqueue(
        self, tenant_id: str, system: str, rows: Sequence[NewOutboxRow], now: datetime
    ) -> None:
        if not rows:
            return
        self._db.write(
            "INSERT INTO external_outbox (tenant_id, system, event_guid, entity_guid, op,"
            " idempotency_key, created_at, updated_at)"
            " SELECT %(tenant)s, %(system)s, u.g, u.e, u.o, u.k, %(now)s, %(now)s"
            " FROM unnest(%(g)s::text[], %(e)s::text[], %(o)s::text[], %(k)s::text[])"
            " WITH ORDINALITY AS u(g, e, o, k, n) ORDER BY u.n"
            " ON CONFLICT DO NOTHING",
            {
                "tenant": tenant_id,
                "system": system,
                "now": now,
                "g": [r.event_guid for r in rows],
                "e": [r.entity_guid for r in rows],
                "o": [r.op for r in rows],
                "k": [r.idempotency_key for r in rows],
            },
        )

    def due(self, tenant_id: str, system: str, now: datetime, limit: int) -> list[OutboxRow]:
        rows = self._db.read(
            _OUTBOX + " WHERE tenant_id = %s AND system = %s AND status = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= %s) ORDER BY id LIMIT %s",
            (tenant_id, system, now, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def settle(self, tenant_id: str, rows: Sequence[OutboxRow], now: datetime) -> None:
        if not rows:
            return
        self._db.write(
            "UPDATE external_outbox AS o SET status = u.s, attempts = u.a,"
            " next_attempt_at = u.n, last_error = u.err, external_ref = u.ref,"
            " updated_at = %(now)s"
            " FROM unnest(%(sys)s::text[], %(g)s::text[], %(s)s::text[], %(a)s::int[],"
            " %(n)s::timestamptz[], %(err)s::text[], %(ref)s::text[])"
            " AS u(sys, g, s, a, n, err, ref)"
            " WHERE o.tenant_id = %(tenant)s AND o.system = u.sys AND o.event_guid = u.g",
            {
                "tenant": tenant_id,
                "now": now,
                "sys": [r.system for r in rows],
                "g": [r.event_guid for r in rows],
                "s": [r.status for r in rows],
                "a": [r.attempts for r in rows],
                "n": [r.next_attempt_at for r in rows],
                "err": [r.last_error for r in rows],
                "ref": [r.external_ref for r in rows],
            },
        )

    def outbox(
        self,
        tenant_id: str,
        system: str | None,
        statuses: Collection[OutboxStatus],
        limit: int,
        offset: int,
    ) -> list[OutboxRow]:
        rows = self._db.read(
            _OUTBOX + " WHERE tenant_id = %s AND status = ANY(%s::text[])"
            " AND (%s::text IS NULL OR system = %s) ORDER BY id LIMIT %s OFFSET %s",
            (tenant_id, list(statuses), system, system, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def requeue(self, tenant_id: str, event_guids: Collection[str], now: datetime) -> int:
        rows = self._db.write(
            "UPDATE external_outbox SET status = 'pending', attempts = 0,"
            " next_attempt_at = NULL, last_error = NULL, updated_at = %s"
            " WHERE tenant_id = %s AND event_guid = ANY(%s::text[])"
            " AND status IN ('dead', 'rejected') RETURNING event_guid",
            (now, tenant_id, list(set(event_guids))),
        ).fetchall()
        return len(rows)

    def counts(self, tenant_id: str) -> dict[str, int]:
        rows = self._db.read(
            "SELECT status, count(*) FROM external_outbox WHERE tenant_id = %s GROUP BY status",
            (tenant_id,),
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def mapped(
        self, tenant_id: str, system: str, entity_guids: Collection[str]
    ) -> dict[str, IdMapping]:
        rows = self._db.read(
            _MAPPING + " WHERE tenant_id = %s AND system = %s AND entity_guid = ANY(%s::text[])",
            (tenant_id, system, list(set(entity_guids))),
        ).fetchall()
        return {r[0]: _mapping(r) for r in rows}

    def mapped_external(
        self, tenant_id: str, system: str, model: str, external_ids: Collection[str]
    ) -> dict[str, IdMapping]:
        rows = self._db.read(
            _MAPPING + " WHERE tenant_id = %s AND system = %s AND external_model = %s"
            " AND external_id = ANY(%s::text[])",
            (tenant_id, system, model, list(set(external_ids))),
        ).fetchall()
        return {r[2]: _mapping(r) for r in rows}

    def map_ids(self, tenant_id: str, system: str, mappings: Sequence[IdMapping]) -> None:
        for m in mappings:
            self._db.write(
                "DELETE FROM external_id_map WHERE tenant_id = %s AND system = %s"
                " AND external_model = %s AND external_id = %s AND entity_guid <> %s",
                (tenant_id, system, m.external_model, m.external_id, m.entity_guid),
            )
            self._db.write(
                "INSERT INTO external_id_map (tenant_id, system, entity_guid, external_model,"
                " external_id, last_seen_version) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tenant_id, system, entity_guid) DO UPDATE SET"
                " external_model = EXCLUDED.external_model,"
                " external_id = EXCLUDED.external_id,"
                " last_seen_version = EXCLUDED.last_seen_version",
                (
                    tenant_id,
                    system,
                    m.entity_guid,
                    m.external_model,
                    m.external_id,
                    m.last_seen_version,
                ),
            )

    def cursor(self, tenant_id: str, system: str, direction: Direction) -> str | None:
        row = self._db.read(
            "SELECT cursor FROM external_cursors WHERE tenant_id = %s AND system = %s"
            " AND direction = %s",
            (tenant_id, system, direction),
        ).fetchone()
        return None if row is None else row[0]

    def set_cursor(
        self, tenant_id: str, system: str, direction: Direction, cursor: str, now: datetime
    ) -> None:
        self._db.write(
            "INSERT INTO external_cursors (tenant_id, system, direction, cursor, updated_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, system, direction)"
            " DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at",
            (tenant_id, system, direction, cursor, now),
        )

    def save_run(self, run: SyncRun) -> None:
        self._db.write(
            "INSERT INTO external_runs (id, tenant_id, system, trigger, status, started_at,"
            " finished_at, pushed, rejected, pulled, errors)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,"
            " finished_at = EXCLUDED.finished_at, pushed = EXCLUDED.pushed,"
            " rejected = EXCLUDED.rejected, pulled = EXCLUDED.pulled, errors = EXCLUDED.errors",
            (
                run.id,
                run.tenant_id,
                run.system,
                run.trigger,
                run.status,
                run.started_at,
                run.finished_at,
                run.pushed,
                run.rejected,
                run.pulled,
                jsonb([dict(e) for e in run.errors]),
            ),
        )

    def set_callback_hash(
        self, tenant_id: str, system: str, token_hash: str, now: datetime
    ) -> None:
        self._db.write(
            "INSERT INTO external_callback_tokens (tenant_id, system, token_hash, created_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, system) DO UPDATE SET"
            " token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
            (tenant_id, system, token_hash, now),
        )

    def callback_hash(self, tenant_id: str, system: str) -> str | None:
        row = self._db.read(
            "SELECT token_hash FROM external_callback_tokens WHERE tenant_id = %s AND system = %s",
            (tenant_id, system),
        ).fetchone()
        return None if row is None else row[0]

    def run(self, run_id: str) -> SyncRun | None:
        row = self._db.read(_RUN + " WHERE id = %s", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, tenant_id: str, limit: int, offset: int) -> list[SyncRun]:
        rows = self._db.read(
            _RUN + " WHERE tenant_id = %s ORDER BY started_at DESC, id DESC LIMIT %s OFFSET %s",
            (tenant_id, limit, offset),
        ).fetchall()
        return [_run(r) for r in rows]
