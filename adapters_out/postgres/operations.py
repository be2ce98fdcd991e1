"""PostgreSQL retention, pull activity and job runs.

Retention targets are rows of one table that match a fixed condition and are older than a
cutoff. A purge deletes one bounded batch (by ``ctid``, via the target's age index) and returns
how many rows went, so that a long cleanup never holds one huge transaction.
"""

# ruff: noqa: S608 - table, column and condition come from the _TARGETS constant below; the
# cutoff and the limit are parameters.

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import attrs

from adapters_out.postgres.codec import jsonb
from adapters_out.postgres.session import Session
from ports.repositories import JobRun


@attrs.frozen
class _Target:
    table: str
    age_column: str
    condition: str


# A target another feature adds (finished external-sync runs, revoked tokens, expired limit
# state) is one line here, one in adapters_out/sqlite/operations.py and one in
# application/retention.py. Events, entities and entity history never appear here.
_TARGETS = {
    "read-audit": _Target(
        "audit_log",
        '"timestamp"',
        "origin = 'server' AND (action LIKE 'read-%%' OR action = 'search-entities')",
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
    "quarantine": _Target("quarantine", "received_at", "TRUE"),
    "expired-leases": _Target("leases", "expires_at", "TRUE"),
    "job-runs": _Target("job_runs", "started_at", "finished_at IS NOT NULL"),
    # Dead since it expired or was revoked, whichever came first (LEAST ignores a NULL).
    "dead-refresh-tokens": _Target("refresh_tokens", "LEAST(expires_at, revoked_at)", "TRUE"),
    # A key whose theoretical arrival time has passed has its full budget, as an absent one.
    "rate-limits": _Target("rate_limits", "to_timestamp(tat)", "TRUE"),
}


class PgRetention:
    def __init__(self, db: Session) -> None:
        self._db = db

    def supports(self, target: str) -> bool:
        return target in _TARGETS

    def count(self, target: str, before: datetime) -> int:
        t = _TARGETS.get(target)
        if t is None:
            return 0
        row = self._db.read(
            f"SELECT count(*) FROM {t.table} WHERE {t.condition} AND {t.age_column} < %s",
            (before,),
        ).fetchone()
        return int(row[0])

    def purge(self, target: str, before: datetime, limit: int) -> int:
        t = _TARGETS.get(target)
        if t is None:
            return 0
        row = self._db.write(
            f"WITH doomed AS (SELECT ctid FROM {t.table}"
            f" WHERE {t.condition} AND {t.age_column} < %s LIMIT %s),"
            f" gone AS (DELETE FROM {t.table} WHERE ctid IN (SELECT ctid FROM doomed)"
            " RETURNING 1) SELECT count(*) FROM gone",
            (before, limit),
        ).fetchone()
        return int(row[0])


class PgFeedRestores:
    def __init__(self, db: Session) -> None:
        self._db = db

    def heads(self, tenant_id: str) -> list[int]:
        rows = self._db.read(
            "SELECT restored_head FROM feed_restores WHERE tenant_id = %s ORDER BY epoch",
            (tenant_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def record(self, tenant_id: str, restored_head: int, at: datetime) -> int:
        row = self._db.write(
            "INSERT INTO feed_restores (tenant_id, epoch, restored_head, restored_at)"
            " SELECT %(t)s, coalesce(max(epoch), 0) + 1, %(head)s, %(at)s"
            " FROM feed_restores WHERE tenant_id = %(t)s RETURNING epoch",
            {"t": tenant_id, "head": restored_head, "at": at},
        ).fetchone()
        return int(row[0])


class PgPullActivity:
    def __init__(self, db: Session) -> None:
        self._db = db

    def record(self, last_pulls: Mapping[str, datetime]) -> None:
        if not last_pulls:
            return
        tenants = sorted(last_pulls)  # one order for every writer: no deadlock between workers
        self._db.write(
            "INSERT INTO pull_activity AS p (tenant_id, last_pull_at)"
            " SELECT * FROM unnest(%s::text[], %s::timestamptz[])"
            " ON CONFLICT (tenant_id) DO UPDATE"
            " SET last_pull_at = greatest(p.last_pull_at, EXCLUDED.last_pull_at)",
            (tenants, [last_pulls[t] for t in tenants]),
        )

    def last_pulls(self, tenant_ids: Collection[str]) -> dict[str, datetime]:
        if not tenant_ids:
            return {}
        rows = self._db.read(
            "SELECT tenant_id, last_pull_at FROM pull_activity WHERE tenant_id = ANY(%s)",
            (list(tenant_ids),),
        ).fetchall()
        return {row[0]: row[1] for row in rows}


_RUN_COLUMNS = "id, name, runner, started_at, finished_at, status, dry_run, counts, error"


def _run(row: Any) -> JobRun:
    return JobRun(
        id=row[0],
        name=row[1],
        runner=row[2],
        started_at=row[3],
        finished_at=row[4],
        status=row[5],
        dry_run=row[6],
        counts=dict(row[7]),
        error=row[8],
    )


class PgJobRuns:
    def __init__(self, db: Session) -> None:
        self._db = db

    def start(self, name: str, runner: str, at: datetime, dry_run: bool) -> int:
        row = self._db.write(
            "INSERT INTO job_runs (name, runner, started_at, status, dry_run, counts)"
            " VALUES (%s, %s, %s, 'running', %s, '{}') RETURNING id",
            (name, runner, at, dry_run),
        ).fetchone()
        return int(row[0])

    def finish(
        self, run_id: int, at: datetime, status: str, counts: Mapping[str, int], error: str | None
    ) -> None:
        self._db.write(
            "UPDATE job_runs SET finished_at = %s, status = %s, counts = %s, error = %s"
            " WHERE id = %s",
            (at, status, jsonb(dict(counts)), error, run_id),
        )

    def recent(self, name: str, limit: int) -> list[JobRun]:
        rows = self._db.read(
            f"SELECT {_RUN_COLUMNS} FROM job_runs WHERE name = %s"
            " ORDER BY started_at DESC, id DESC LIMIT %s",
            (name, limit),
        ).fetchall()
        return [_run(row) for row in rows]

    def last_finished(self, name: str, *, dry_run: bool = False) -> datetime | None:
        row = self._db.read(
            "SELECT max(finished_at) FROM job_runs WHERE name = %s AND dry_run = %s",
            (name, dry_run),
        ).fetchone()
        return None if row is None else row[0]
