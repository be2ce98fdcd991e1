"""SQLite external-sync storage. The outbox is ordered by rowid: rows are appended in the
transaction that numbers their events, under SQLite's single write lock, so rowid order is
feed order."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants and "?" markers;
# every value is a bound parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from adapters_out.sqlite.codec import (
    chunks,
    dump,
    from_text,
    from_text_or_none,
    load,
    marks,
    to_text,
    to_text_or_none,
)
from ports.external_store import (
    Direction,
    IdMapping,
    NewOutboxRow,
    OutboxRow,
    OutboxStatus,
    SyncRun,
)

_OUTBOX = (
    "SELECT rowid, system, event_guid, entity_guid, op, idempotency_key, status, attempts,"
    " next_attempt_at, last_error, external_ref, created_at, updated_at FROM external_outbox"
)
_RUN = (
    "SELECT id, tenant_id, system, trigger, status, started_at, finished_at, pushed, rejected,"
    " pulled, errors FROM external_runs"
)


def _row(r: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        position=r[0],
        system=r[1],
        event_guid=r[2],
        entity_guid=r[3],
        op=r[4],
        idempotency_key=r[5],
        status=r[6],
        attempts=r[7],
        next_attempt_at=from_text_or_none(r[8]),
        last_error=r[9],
        external_ref=r[10],
        created_at=from_text(r[11]),
        updated_at=from_text(r[12]),
    )


def _run(r: sqlite3.Row) -> SyncRun:
    return SyncRun(
        id=r[0],
        tenant_id=r[1],
        system=r[2],
        trigger=r[3],
        status=r[4],
        started_at=from_text(r[5]),
        finished_at=from_text_or_none(r[6]),
        pushed=r[7],
        rejected=r[8],
        pulled=r[9],
        errors=tuple(load(r[10])),
    )


class SqliteExternal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def enqueue(
        self, tenant_id: str, system: str, rows: Sequence[NewOutboxRow], now: datetime
    ) -> None:
        at = to_text(now)
        self._conn.executemany(
            "INSERT INTO external_outbox (tenant_id, system, event_guid, entity_guid, op,"
            " idempotency_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [
                (tenant_id, system, r.event_guid, r.entity_guid, r.op, r.idempotency_key, at, at)
                for r in rows
            ],
        )

    def due(self, tenant_id: str, system: str, now: datetime, limit: int) -> list[OutboxRow]:
        rows = self._conn.execute(
            _OUTBOX + " WHERE tenant_id = ? AND system = ? AND status = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY rowid LIMIT ?",
            (tenant_id, system, to_text(now), limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def settle(self, tenant_id: str, rows: Sequence[OutboxRow], now: datetime) -> None:
        self._conn.executemany(
            "UPDATE external_outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
            " last_error = ?, external_ref = ?, updated_at = ?"
            " WHERE tenant_id = ? AND system = ? AND event_guid = ?",
            [
                (
                    r.status,
                    r.attempts,
                    to_text_or_none(r.next_attempt_at),
                    r.last_error,
                    r.external_ref,
                    to_text(now),
                    tenant_id,
                    r.system,
                    r.event_guid,
                )
                for r in rows
            ],
        )

    def outbox(
        self,
        tenant_id: str,
        system: str | None,
        statuses: Collection[OutboxStatus],
        limit: int,
        offset: int,
    ) -> list[OutboxRow]:
        wanted = list(statuses)
        if not wanted:
            return []
        sql = _OUTBOX + f" WHERE tenant_id = ? AND status IN ({marks(wanted)})"
        params: list[object] = [tenant_id, *wanted]
        if system is not None:
            sql += " AND system = ?"
            params.append(system)
        sql += " ORDER BY rowid LIMIT ? OFFSET ?"
        return [_row(r) for r in self._conn.execute(sql, (*params, limit, offset)).fetchall()]

    def requeue(self, tenant_id: str, event_guids: Collection[str], now: datetime) -> int:
        count = 0
        for part in chunks(event_guids):
            count += self._conn.execute(
                "UPDATE external_outbox SET status = 'pending', attempts = 0,"
                " next_attempt_at = NULL, last_error = NULL, updated_at = ?"
                f" WHERE tenant_id = ? AND event_guid IN ({marks(part)})"
                " AND status IN ('dead', 'rejected')",
                (to_text(now), tenant_id, *part),
            ).rowcount
        return count

    def counts(self, tenant_id: str) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT status, count(*) FROM external_outbox WHERE tenant_id = ? GROUP BY status",
            (tenant_id,),
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def mapped(
        self, tenant_id: str, system: str, entity_guids: Collection[str]
    ) -> dict[str, IdMapping]:
        found: dict[str, IdMapping] = {}
        for part in chunks(entity_guids):
            rows = self._conn.execute(
                "SELECT entity_guid, external_model, external_id, last_seen_version"
                " FROM external_id_map WHERE tenant_id = ? AND system = ?"
                f" AND entity_guid IN ({marks(part)})",
                (tenant_id, system, *part),
            ).fetchall()
            found.update({r[0]: IdMapping(**_mapping(r)) for r in rows})
        return found

    def mapped_external(
        self, tenant_id: str, system: str, model: str, external_ids: Collection[str]
    ) -> dict[str, IdMapping]:
        found: dict[str, IdMapping] = {}
        for part in chunks(external_ids):
            rows = self._conn.execute(
                "SELECT entity_guid, external_model, external_id, last_seen_version"
                " FROM external_id_map WHERE tenant_id = ? AND system = ?"
                f" AND external_model = ? AND external_id IN ({marks(part)})",
                (tenant_id, system, model, *part),
            ).fetchall()
            found.update({r[2]: IdMapping(**_mapping(r)) for r in rows})
        return found

    def map_ids(self, tenant_id: str, system: str, mappings: Sequence[IdMapping]) -> None:
        for m in mappings:
            self._conn.execute(
                "DELETE FROM external_id_map WHERE tenant_id = ? AND system = ?"
                " AND external_model = ? AND external_id = ? AND entity_guid <> ?",
                (tenant_id, system, m.external_model, m.external_id, m.entity_guid),
            )
            self._conn.execute(
                "INSERT INTO external_id_map (tenant_id, system, entity_guid, external_model,"
                " external_id, last_seen_version) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (tenant_id, system, entity_guid) DO UPDATE SET"
                " external_model = excluded.external_model,"
                " external_id = excluded.external_id,"
                " last_seen_version = excluded.last_seen_version",
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
        row = self._conn.execute(
            "SELECT cursor FROM external_cursors WHERE tenant_id = ? AND system = ?"
            " AND direction = ?",
            (tenant_id, system, direction),
        ).fetchone()
        return None if row is None else row[0]

    def set_cursor(
        self, tenant_id: str, system: str, direction: Direction, cursor: str, now: datetime
    ) -> None:
        self._conn.execute(
            "INSERT INTO external_cursors (tenant_id, system, direction, cursor, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, system, direction) DO UPDATE SET"
            " cursor = excluded.cursor, updated_at = excluded.updated_at",
            (tenant_id, system, direction, cursor, to_text(now)),
        )

    def save_run(self, run: SyncRun) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO external_runs (id, tenant_id, system, trigger, status,"
            " started_at, finished_at, pushed, rejected, pulled, errors)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.id,
                run.tenant_id,
                run.system,
                run.trigger,
                run.status,
                to_text(run.started_at),
                to_text_or_none(run.finished_at),
                run.pushed,
                run.rejected,
                run.pulled,
                dump([dict(e) for e in run.errors]),
            ),
        )

    def set_callback_hash(
        self, tenant_id: str, system: str, token_hash: str, now: datetime
    ) -> None:
        self._conn.execute(
            "INSERT INTO external_callback_tokens (tenant_id, system, token_hash, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, system) DO UPDATE SET"
            " token_hash = excluded.token_hash, created_at = excluded.created_at",
            (tenant_id, system, token_hash, to_text(now)),
        )

    def callback_hash(self, tenant_id: str, system: str) -> str | None:
        row = self._conn.execute(
            "SELECT token_hash FROM external_callback_tokens WHERE tenant_id = ? AND system = ?",
            (tenant_id, system),
        ).fetchone()
        return None if row is None else row[0]

    def run(self, run_id: str) -> SyncRun | None:
        row = self._conn.execute(_RUN + " WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, tenant_id: str, limit: int, offset: int) -> list[SyncRun]:
        rows = self._conn.execute(
            _RUN + " WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
            (tenant_id, limit, offset),
        ).fetchall()
        return [_run(r) for r in rows]


def _mapping(r: sqlite3.Row) -> dict[str, str | None]:
    return {
        "entity_guid": r[0],
        "external_model": r[1],
        "external_id": r[2],
        "last_seen_version": r[3],
    }
