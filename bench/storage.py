"""Storage benchmark: push/pull throughput and pull page latency by feed size.

Usage (``make bench`` runs it with no options)::

    .venv/bin/python bench/storage.py [--quick] [--backend all|postgres|sqlite] [--dsn DSN]

Push and pull go through the real use cases (``PushEvents``, ``PullEvents``) on a fresh
database: a dedicated PostgreSQL schema (dropped afterwards; DSN from ``--dsn``, ``POSTGRES``,
``POSTGRES_TEST`` or the local server) or a temporary SQLite file. The large feeds for the
latency figures are filled through the storage ports directly (claim + number, 10,000 events
per unit of work), because pushing a million events through the use case would take minutes
and the page cost only depends on the feed, not on how it was filled.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters_out.similarity import rapidfuzz_similarity
from adapters_out.system import RandomIds, SystemClock
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from domain.cursor import CursorCodec
from domain.event_types import EventTypes
from domain.events import Event
from domain.tenants import Tenant
from domain.timestamps import format_instant
from domain.users import Principal

CURSORS = CursorCodec.from_secret("bench")

ADMIN = Principal(user_id="1", email="bench@example.org", role="ADMIN", tenants=("*",))
BASE = datetime(2025, 1, 1, tzinfo=UTC)
FIRST = ["Amina", "Bashir", "Chloe", "Dawit", "Esi", "Farid", "Grace", "Hana", "Ivan", "Jun"]
LAST = ["Abebe", "Banda", "Cruz", "Diallo", "Eze", "Fofana", "Garcia", "Haile", "Ito", "Juma"]
LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"


class Workload:
    """Field data: 9 in 10 events register a new person, 1 in 10 updates an earlier one.
    Names are unique; birth dates spread over 80 years (duplicate candidates by date)."""

    def __init__(self, seed: int = 7) -> None:
        self._rng, self._n = random.Random(seed), itertools.count()

    def event(self) -> dict[str, Any]:
        i = next(self._n)
        rng = self._rng
        if i % 10 == 9:
            target, data = f"p{rng.randrange(max(1, i - 9))}", {"visits": i, "phone": f"+{i}"}
            type_ = "update-individual"
        else:
            target, type_ = f"p{i}", "create-individual"
            data = {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                "entityName": "person",
                "dob": (BASE - timedelta(days=rng.randrange(29_000))).date().isoformat(),
                "sex": rng.choice("FM"),
                "village": f"village-{rng.randrange(300)}",
            }
        return {
            "id": i,  # the client's local key: ignored by the server
            "guid": str(uuid.uuid4()),
            "entityGuid": target,
            "type": type_,
            "data": data,
            "timestamp": format_instant(BASE + timedelta(milliseconds=i)),
            "userId": f"device-{i % 50}",
            "syncLevel": 0,
        }

    def batches(self, events: int, size: int) -> list[list[dict[str, Any]]]:
        return [[self.event() for _ in range(size)] for _ in range(events // size)]


# -- backends ------------------------------------------------------------------------------
def _proc_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@contextmanager
def postgres(dsn: str, pool: int) -> Iterator[Any]:
    import psycopg
    from psycopg import sql

    from adapters_out.postgres import PostgresDatabase

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    db = PostgresDatabase(dsn, schema=schema, max_size=pool, name="bench")
    db.open()
    with psycopg.connect(dsn, autocommit=True) as admin:
        autovacuum = admin.execute("SHOW autovacuum").fetchone()[0]  # type: ignore[index]

    def settle() -> None:
        """What autovacuum would do by itself: statistics for the planner, dead rows gone."""
        if autovacuum == "on":
            return
        with psycopg.connect(dsn, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            ).fetchall()
            tables = sql.SQL(", ").join(sql.Identifier(schema, r[0]) for r in rows)
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(tables))

    def backend_cpu_s() -> float | None:
        """CPU seconds of this pool's server processes (None unless the server is local)."""
        with psycopg.connect(dsn, autocommit=True) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench'"
            ).fetchall()
        times = [_proc_cpu_s(p[0]) for p in pids]
        return None if not times or None in times else sum(times)  # type: ignore[arg-type]

    try:
        db.migrate()
        if autovacuum != "on":
            print("#   autovacuum is off on this server: VACUUM (ANALYZE) runs after each load")
        yield db, settle, backend_cpu_s
    finally:
        db.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def sqlite(_: str, pool: int) -> Iterator[Any]:
    try:
        from adapters_out.sqlite import SqliteDatabase
    except ImportError as error:
        raise RuntimeError(f"the SQLite adapter is not importable yet ({error})") from error
    with tempfile.TemporaryDirectory() as tmp:
        db = SqliteDatabase(Path(tmp) / "bench.db")
        try:
            db.migrate()
            yield db, lambda: None, lambda: 0.0  # SQLite works inside this process
        finally:
            db.close()


# -- measurements --------------------------------------------------------------------------
def timed_push(push: PushEvents, tenant: str, batches: list[list[dict]], threads: int) -> float:
    failures: list[BaseException] = []

    def run(share: list[list[dict]]) -> None:
        try:
            for batch in share:
                outcome = push(tenant, ADMIN, batch)
                if outcome.rejected:
                    raise RuntimeError(f"rejected: {outcome.results[0]}")
        except BaseException as error:
            failures.append(error)

    workers = [threading.Thread(target=run, args=(batches[w::threads],)) for w in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return sum(len(b) for b in batches) / elapsed


def timed_pull(pull: PullEvents, tenant: str, limit: int) -> tuple[float, int]:
    started, cursor, total = time.perf_counter(), None, 0
    while True:
        page = pull(tenant, ADMIN, cursor, limit)
        total += len(page.events)
        if page.next_cursor is None:
            return total / (time.perf_counter() - started), total
        cursor = page.next_cursor


def fill_feed(db: Any, tenant: str, have: int, want: int) -> int:
    """A busy tenant: 50 events a second, each received a second after its device time."""
    while have < want:
        n = min(10_000, want - have)
        events = [
            Event(
                guid=f"fill-{k:08d}",
                entity_guid=f"f{k % 50_000}",
                type="update-individual",
                data={"visits": k, "note": "filled for the latency benchmark"},
                timestamp=BASE + timedelta(milliseconds=20 * k),
                user_id="device-1",
                received_at=BASE + timedelta(milliseconds=20 * k + 1000),
                pushed_by="1",
            )
            for k in range(have, have + n)
        ]
        with db() as uow:
            uow.events.claim(tenant, events)
            uow.events.number(tenant, events)
            uow.commit()
        have += n
    return have


def latency_ms(call: Callable[[], object], samples: int) -> tuple[float, float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def report(backend: str, what: str, value: str) -> None:
    print(f"{backend:9} {what:52} {value}", flush=True)


class CpuPerEvent:
    """CPU microseconds per event of one timed phase: this process, and the database server's
    processes for this pool. Unlike events/s, it does not depend on what else the (shared)
    machine is running."""

    def __init__(self, db_cpu_s: Callable[[], float | None]) -> None:
        self._db_cpu_s = db_cpu_s
        self._start = (time.process_time(), db_cpu_s())

    def __call__(self, events: int) -> str:
        client = (time.process_time() - self._start[0]) / events * 1e6
        server_now, server_start = self._db_cpu_s(), self._start[1]
        if server_now is None or server_start is None:
            return f"(cpu/event: client {client:.0f} us)"
        server = (server_now - server_start) / events * 1e6
        return f"(cpu/event: client {client:.0f} us + database {server:.0f} us)"


def throughput(
    name: str,
    db: Any,
    settle: Callable[[], None],
    db_cpu_s: Callable[[], float | None],
    args: argparse.Namespace,
) -> None:
    push = PushEvents(
        db, SystemClock(), RandomIds(), EventTypes(), DuplicateDetector(rapidfuzz_similarity)
    )
    pull, work = PullEvents(db, CURSORS), Workload()
    big = work.batches(10_000 if args.quick else 50_000, 1000)
    small = work.batches(4_000 if args.quick else 20_000, 10)
    # A tenant with some history, and planner statistics that know it (as autovacuum's first
    # ANALYZE would): plans made for empty tables would be timed otherwise.
    timed_push(push, "bench", work.batches(5_000, 1000), 1)
    settle()
    for batches, threads in ((big, 1), (small, args.threads)):
        cpu, events = CpuPerEvent(db_cpu_s), sum(len(b) for b in batches)
        rate = timed_push(push, "bench", batches, threads)
        what = f"push, batches of {len(batches[0])}, {threads} thread(s) ({events} ev)"
        report(name, what, f"{rate:>9,.0f} ev/s  {cpu(events)}")
    rate, total = timed_pull(pull, "bench", 1000)
    what = f"pull, pages of 1000, first read after the pushes ({total} ev)"
    report(name, what, f"{rate:>9,.0f} ev/s")
    settle()
    for limit in (100, 1000):
        cpu = CpuPerEvent(db_cpu_s)
        rate, total = timed_pull(pull, "bench", limit)
        report(name, f"pull, pages of {limit} ({total} ev)", f"{rate:>9,.0f} ev/s  {cpu(total)}")


def latencies(name: str, db: Any, settle: Callable[[], None], args: argparse.Namespace) -> None:
    pull, rng, have = PullEvents(db, CURSORS), random.Random(3), 0
    samples = 100 if args.quick else 300
    for size in args.sizes:
        started = time.perf_counter()
        have = fill_feed(db, "feed", have, size)
        fill_s = time.perf_counter() - started
        settle()
        report(name, f"feed of {size:,}: filled via the ports in {fill_s:.1f} s", "")

        def cursor_at(position: int) -> object:
            return pull("feed", ADMIN, CURSORS.encode("feed", position), 100)

        def since(ms: int) -> object:
            return pull("feed", ADMIN, format_instant(BASE + timedelta(milliseconds=ms)), 100)

        head = size - 50  # a device that is nearly caught up, the usual case
        cases: dict[str, Callable[[], object]] = {
            "cursor anywhere": lambda n=size: cursor_at(rng.randrange(n - 100)),
            "cursor near the head": lambda h=head: cursor_at(h),
            "legacy since = a timestamp near the head": lambda h=head: since(20 * h),
            "legacy since, no exact match, near the head": lambda h=head: since(20 * h + 1),
        }
        for label, call in cases.items():
            p50, p95 = latency_ms(call, samples)
            report(name, f"  page of 100, {label}", f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


def run_backend(name: str, opener: Callable, args: argparse.Namespace) -> None:
    with opener(args.dsn, args.threads + 2) as (db, settle, db_cpu_s):
        with db() as uow:
            for tenant_id in ("bench", "feed"):
                uow.tenants.add(Tenant(id=tenant_id, name=tenant_id, artifact_id="b" * 32))
            uow.commit()
        throughput(name, db, settle, db_cpu_s, args)
        latencies(name, db, settle, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, feeds up to 100k")
    parser.add_argument("--backend", choices=["all", "postgres", "sqlite"], default="all")
    parser.add_argument("--threads", type=int, default=8, help="pushers for batches of 10")
    parser.add_argument(
        "--dsn", default=os.environ.get("POSTGRES") or os.environ.get("POSTGRES_TEST") or LOCAL_DSN
    )
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    args = parser.parse_args()
    args.sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    print(f"# {' '.join(sys.argv)}  ({platform.node()}, {os.cpu_count()} cpus, {time.ctime()})")
    backends = {"postgres": postgres, "sqlite": sqlite}
    for name, opener in backends.items():
        if args.backend in ("all", name):
            try:
                run_backend(name, opener, args)
            except RuntimeError as error:
                report(name, "skipped", str(error))


if __name__ == "__main__":
    main()
