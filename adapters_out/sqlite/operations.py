"""SQLite retention, pull activity and job runs.

Retention targets are rows of one table that match a fixed condition and are older than a
cutoff (instants are fixed-width text, so text order is time order). A purge deletes one
bounded batch by ``rowid`` and returns how many rows went.
"""

# ruff: noqa: S608 - table, column and condition come from the _TARGETS constant below; the
# cutoff and the limit are parameters.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from datetime import datetime

import attrs

from adapters_out.sqlite.codec import (
    chunks,
    dump,
    from_text,
    from_text_or_none,
    load,
    marks,
    to_text,
)
from ports.repositories import JobRun


@attrs.frozen
class _Target:
    table: str
    age_column: str
    condition: str


# Kept in step with adapters_out/postgres/operations.py (see there).
_TARGETS = {
    "read-audit": _Target(
        "audit_log",
        "timestamp",
        "origin = 'server' AND (action LIKE 'read-%' OR action = 'search-entities')",
    ),
    "delivered-outbox": _Target("external_outbox", "updated_at", "status = 'done'"),
    # Finished external-sync runs, but never a system's newest: its schedule counts from it.
    "external-runs": _Target(
        "external_runs",
        "finished_at",
        "finished_at IS NOT NULL AND EXISTS (SELECT 1 FROM external_runs n"
        " WHERE n.tenant_id = external_runs.tenant_id AND n.system = external_runs.system"
        " AND n.started_at > external_runs.started_at)",
    ),
    "quarantine": _Target("quarantine", "received_at", "1"),
    "expired-leases": _Target("leases", "expires_at", "1"),
    "job-runs": _Target("job_runs", "started_at", "finished_at IS NOT NULL"),
    # Dead since it expired or was revoked, whichever came first. (Rate limits live in their
    # own file, DATA_DIR/limits.sqlite3, which purges itself: adapters_out/sqlite/limits.py.)
    "dead-refresh-tokens": _Target(
        "refresh_tokens", "min(expires_at, coalesce(revoked_at, expires_at))", "1"
    ),
}


class SqliteRetention:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def supports(self, target: str) -> bool:
        return target in _TARGETS

    def count(self, target: str, before: datetime) -> int:
        t = _TARGETS.get(target)
        if t is None:
            return 0
        row = self._conn.execute(
            f"SELECT count(*) FROM {t.table} WHERE {t.condition} AND {t.age_column} < ?",
            (to_text(before),),
        ).fetchone()
        return int(row[0])

    def purge(self, target: str, before: datetime, limit: int) -> int:
        t = _TARGETS.get(target)
        if t is None:
            return 0
        gone = self._conn.execute(
            f"DELETE FROM {t.table} WHERE rowid IN (SELECT rowid FROM {t.table}"
            f" WHERE {t.condition} AND {t.age_column} < ? LIMIT ?)",
            (to_text(before), limit),
        )
        return gone.rowcount


class SqliteFeedRestores:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def heads(self, tenant_id: str) -> list[int]:
        rows = self._conn.execute(
            "SELECT restored_head FROM feed_restores WHERE tenant_id = ? ORDER BY epoch",
            (tenant_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def record(self, tenant_id: str, restored_head: int, at: datetime) -> int:
        row = self._conn.execute(
            "INSERT INTO feed_restores (tenant_id, epoch, restored_head, restored_at)"
            " SELECT ?1, coalesce(max(epoch), 0) + 1, ?2, ?3"
            " FROM feed_restores WHERE tenant_id = ?1 RETURNING epoch",
            (tenant_id, restored_head, to_text(at)),
        ).fetchone()
        return int(row[0])


class SqlitePullActivity:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def record(self, last_pulls: Mapping[str, datetime]) -> None:
        self._conn.executemany(
            "INSERT INTO pull_activity (tenant_id, last_pull_at) VALUES (?, ?)"
            " ON CONFLICT (tenant_id) DO UPDATE"
            " SET last_pull_at = max(last_pull_at, excluded.last_pull_at)",
            [(tenant, to_text(at)) for tenant, at in sorted(last_pulls.items())],
        )

    def last_pulls(self, tenant_ids: Collection[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for part in chunks(tenant_ids):
            rows = self._conn.execute(
                "SELECT tenant_id, last_pull_at FROM pull_activity"
                f" WHERE tenant_id IN ({marks(part)})",
                part,
            ).fetchall()
            found.update({row[0]: from_text(row[1]) for row in rows})
        return found


_RUN_COLUMNS = "id, name, runner, started_at, finished_at, status, dry_run, counts, error"


def _run(row: sqlite3.Row) -> JobRun:
    return JobRun(
        id=row[0],
        name=row[1],
        runner=row[2],
        started_at=from_text(row[3]),
        finished_at=from_text_or_none(row[4]),
        status=row[5],
        dry_run=bool(row[6]),
        counts=load(row[7]),
        error=row[8],
    )


class SqliteJobRuns:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def start(self, name: str, runner: str, at: datetime, dry_run: bool) -> int:
        row = self._conn.execute(
            "INSERT INTO job_runs (name, runner, started_at, status, dry_run, counts)"
            " VALUES (?, ?, ?, 'running', ?, '{}') RETURNING id",
            (name, runner, to_text(at), int(dry_run)),
        ).fetchone()
        return int(row[0])

    def finish(
        self, run_id: int, at: datetime, status: str, counts: Mapping[str, int], error: str | None
    ) -> None:
        self._conn.execute(
            "UPDATE job_runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ?",
            (to_text(at), status, dump(dict(counts)), error, run_id),
        )

    def recent(self, name: str, limit: int) -> list[JobRun]:
        rows = self._conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM job_runs WHERE name = ?"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (name, limit),
        ).fetchall()
        return [_run(row) for row in rows]

    def last_finished(self, name: str, *, dry_run: bool = False) -> datetime | None:
        row = self._conn.execute(
            "SELECT max(finished_at) FROM job_runs WHERE name = ? AND dry_run = ?",
            (name, int(dry_run)),
        ).fetchone()
        return from_text_or_none(row[0])
