"""Cost guards: a push costs a fixed number of statements whatever the batch size, and the
hot queries are index searches (never a scan of a tenant's rows, never a sort step)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import adapters_out.sqlite.uow as sqlite_uow
from adapters_out.sqlite import SqliteDatabase
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from ports.repositories import EntityQuery
from tests.conftest import ADMIN
from tests.support.clock import CountingIds, SteppingClock
from tests.support.cursors import CURSORS
from tests.support.events import wire_event
from tests.support.sqlite_backend import sqlite_database

SMALL_TABLES = {"tenants", "users", "schema_migrations", "feed_heads"}


class _Recorder:
    """Stands in for the connection the repositories use, and records each call."""

    def __init__(self, conn: sqlite3.Connection, calls: list[tuple[str, Any]]) -> None:
        self._conn, self._calls = conn, calls

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self._calls.append((sql, params))
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        rows = list(rows)
        self._calls.append((sql, rows[0] if rows else None))
        return self._conn.executemany(sql, rows)


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list]]:
    calls: list[tuple[str, Any]] = []
    real_init = sqlite_uow.SqliteUnitOfWork.__init__

    def recording_init(self: Any, conn: sqlite3.Connection) -> None:
        real_init(self, _Recorder(conn, calls))  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_uow.SqliteUnitOfWork, "__init__", recording_init)
    with sqlite_database(tmp_path) as db:
        with db() as uow:
            uow.tenants.add(Tenant(id="t1", name="One", artifact_id="a" * 32))
            uow.commit()
        calls.clear()
        yield db, calls


def _push(db: SqliteDatabase, count: int, prefix: str) -> None:
    push = PushEvents(
        db, SteppingClock(), CountingIds(prefix), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    batch = [
        wire_event("create-individual", f"{prefix}-{i}", {"name": f"{prefix} {i}", "dob": f"{i}"})
        for i in range(count)
    ]
    outcome = push("t1", ADMIN, batch)
    assert outcome.applied == count


def test_a_push_costs_the_same_statements_for_10_or_1000_events(recorded) -> None:
    db, calls = recorded
    _push(db, 10, "small")
    small = [sql for sql, _ in calls]
    calls.clear()
    _push(db, 1000, "large")
    large = [sql for sql, _ in calls]
    assert len(large) == len(small) <= 25
    calls.clear()
    page = PullEvents(db, CURSORS)("t1", ADMIN, None, 1000)
    assert len(page.events) == 1000
    assert len(calls) <= 4  # tenant check + restore epochs + one page query + the head


def _plan(conn: sqlite3.Connection, sql: str, params: Any) -> list[str]:
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params or ()).fetchall()
    return [row[3] for row in rows]


def test_hot_queries_search_indexes(recorded) -> None:
    db, calls = recorded
    _push(db, 50, "a")
    _push(db, 50, "b")
    at = datetime(2025, 1, 1, 9, tzinfo=UTC)
    with db() as uow:
        uow.events.page("t1", 10, 100)
        uow.events.legacy_start("t1", at, at)
        uow.events.legacy_start("t1", datetime(2030, 1, 1, tzinfo=UTC), at)
        uow.events.for_entity("t1", "a-1", 10)
        uow.events.touching("t1", ["a-1", "b-2"])
        uow.events.touches_of("t1", ["x", "y"])
        uow.events.status("t1")
        uow.entities.find_by_keys("t1", ["n:1 a", "d:7"], 10)
        uow.entities.list("t1", EntityQuery(limit=10))
        uow.entities.list("t1", EntityQuery(limit=10, entity_name="person"))
        uow.entities.count("t1")
        uow.duplicates.list("t1", "pending", 10, 0)
        uow.duplicates.list("t1", None, 10, 0)
        uow.duplicates.drop_pending_for("t1", ["a-1"])
        uow.conflicts.list("t1", "open", 10, 0)
        uow.conflicts.list("t1", None, 10, 0)
        uow.quarantine.list("t1", 10, 0)
        uow.audit.since("t1", at, 10)
        uow.audit.for_entity("t1", "a-1", 10)
    scans = set()
    with sqlite3.connect(db.path) as conn:
        for sql, params in calls:
            if sql.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                continue
            for step in _plan(conn, sql, params):
                table = re.match(r"SCAN (\w+)", step)
                if table and table[1] not in SMALL_TABLES and table[1] != "json_each":
                    scans.add((step, sql))
                if "TEMP B-TREE" in step and "ORDER BY" in sql:
                    scans.add((step, sql))
    conn.close()
    assert scans == set()
