"""Two gunicorn-like worker processes push into one file at the same time.

Both push an overlapping set of events (in different orders and chunkings) while this process
pages through the feed. Every event must be applied exactly once, the feed must be gap-free and
in commit order for the reader, and the entities must converge to the single-writer result.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

from adapters_out.memory.uow import MemoryDatabase
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
from tests.support.events import at
from tests.support.sqlite_backend import sqlite_database

PEOPLE = 200


def _history() -> list[dict[str, Any]]:
    """Creates for many people plus updates of a few shared ones at scattered device times, so
    that both writers keep re-folding entities the other one just changed."""
    rng = random.Random(7)
    events = []
    for index in range(1500):
        person = f"p{index % PEOPLE}" if index < PEOPLE or index % 3 else f"p{rng.randrange(5)}"
        events.append(
            {
                "guid": f"ev-{index:04d}",
                "entityGuid": person,
                "type": "create-individual" if index < PEOPLE else "update-individual",
                "data": {"name": f"Person {person}", "visit": index, f"f{index % 4}": index},
                "timestamp": at(rng.randrange(500)),
                "userId": f"device-{index % 3}",
                "syncLevel": 0,
            }
        )
    return events


def _pusher(path: str, name: str, batches: list[list[dict]], gate: Any) -> list[tuple[str, str]]:
    db = SqliteDatabase(path, busy_timeout_ms=20_000)  # opened after the fork/spawn
    push = PushEvents(
        db, SteppingClock(), CountingIds(name), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    gate.wait()
    statuses = []
    for batch in batches:
        outcome = push("t1", ADMIN, batch)
        statuses += [(r.guid or "", r.status) for r in outcome.results]
        # A real worker parses HTTP between pushes. Without any gap, SQLite's polling busy
        # handler lets one tight loop starve the other process (see the adapter's notes).
        time.sleep(0.003)
    db.close()
    return statuses


def _read_feed(db: SqliteDatabase, cursor: str | None, seen: list[int]) -> str | None:
    page = PullEvents(db, CURSORS)("t1", ADMIN, cursor, 37)
    seen += [e.seq for e in page.events if e.seq is not None]
    return page.checkpoint


def _states(db: object) -> dict[str, tuple]:
    with db() as uow:  # type: ignore[operator]
        entities = uow.entities.list("t1", EntityQuery(limit=10_000, include_deleted=True))
    return {e.guid: (e.name, dict(e.data), e.version, e.last_updated) for e in entities}


def test_two_processes_push_concurrently_into_one_file(tmp_path: Path) -> None:
    events = _history()
    forward = [events[i : i + 10] for i in range(0, len(events), 10)]  # the client's chunks
    backward = list(reversed(events))
    backward = [backward[i : i + 25] for i in range(0, len(backward), 25)]
    with sqlite_database(tmp_path) as db:
        with db() as uow:
            uow.tenants.add(Tenant(id="t1", name="One", artifact_id="a" * 32))
            uow.commit()
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(2) as pool:
            gate = manager.Barrier(3)
            jobs = [
                pool.apply_async(_pusher, (str(db.path), "a", forward, gate)),
                pool.apply_async(_pusher, (str(db.path), "b", backward, gate)),
            ]
            gate.wait(timeout=60)
            seen: list[int] = []
            cursor = None
            while not all(job.ready() for job in jobs):  # a reader paging during the pushes
                cursor = _read_feed(db, cursor, seen)
            per_process = [job.get(timeout=120) for job in jobs]
            results = [status for statuses in per_process for status in statuses]
            while True:
                before = len(seen)
                cursor = _read_feed(db, cursor, seen)
                if len(seen) == before:
                    break

        applied = sorted(guid for guid, status in results if status == "applied")
        assert applied == sorted(e["guid"] for e in events)  # each exactly once, overall
        assert {status for _, status in results} == {"applied", "duplicate"}
        for statuses in per_process:  # the writers really interleaved
            assert {"applied", "duplicate"} <= {status for _, status in statuses}
        assert seen == list(range(1, len(events) + 1))  # gap-free, commit order, no repeats
        with db() as uow:
            feed = uow.events.page("t1", 0, 10_000)
            assert [e.seq for e in feed] == list(range(1, len(events) + 1))
            assert sorted(e.guid for e in feed) == sorted(e["guid"] for e in events)
            assert uow.events.head("t1") == len(events)

        single = MemoryDatabase()  # one writer, in timestamp order: the reference result
        with single() as uow:
            uow.tenants.add(Tenant(id="t1", name="One", artifact_id="a" * 32))
            uow.commit()
        push = PushEvents(
            single,
            SteppingClock(),
            CountingIds(),
            EventTypes(),
            DuplicateDetector(stdlib_similarity),
        )
        in_order = sorted(events, key=lambda e: (e["timestamp"], e["guid"]))
        for start in range(0, len(in_order), 500):
            push("t1", ADMIN, in_order[start : start + 500])
        assert _states(db) == _states(single)
