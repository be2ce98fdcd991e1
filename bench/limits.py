"""Rate-limit overhead per request (issue 12.3): the shared GCRA store on each backend.

    .venv/bin/python bench/limits.py                 # ~30 s
    .venv/bin/python bench/limits.py --hits 2000 --threads 8

1. One ``hit`` at a time (latency p50/p99 in microseconds): in process (one worker only, the
   old behaviour's cost), the SQLite limits file, the PostgreSQL UNLOGGED table.
2. ``--threads`` threads hitting at once (hits per second), half on one hot key (one client)
   and half on distinct keys: the contention a busy server sees.
3. The real Falcon app in-process (``falcon.testing``): ``GET /api/users/me`` with a token,
   limits off vs. on (per-IP + per-user = 2 hits a request), on the SQLite store.

An authenticated request pays two hits (per IP and per user); a login pays up to three more.
PostgreSQL runs on a dedicated schema, dropped afterwards (``--dsn``, ``POSTGRES``,
``POSTGRES_TEST`` or the local server); SQLite on a temporary file. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql

from adapters_out.memory.limits import MemoryRateLimits
from adapters_out.postgres import PostgresDatabase
from adapters_out.postgres.limits import PgRateLimits
from adapters_out.sqlite.limits import SqliteRateLimits
from ports.limits import RateLimits

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BIG = 1_000_000_000  # a budget never reached: every hit is an allowed UPSERT (the common case)


@contextmanager
def memory_store(_: str) -> Iterator[RateLimits]:
    yield MemoryRateLimits()


@contextmanager
def sqlite_store(_: str) -> Iterator[RateLimits]:
    with tempfile.TemporaryDirectory() as directory:
        store = SqliteRateLimits(Path(directory) / "limits.sqlite3")
        yield store
        store.close()


@contextmanager
def postgres_store(dsn: str) -> Iterator[RateLimits]:
    schema = f"bench_limits_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    db = PostgresDatabase(dsn, schema=schema, max_size=16, name="bench-limits")
    try:
        db.open()
        db.migrate()
        yield PgRateLimits(db)
    finally:
        db.close()
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


STORES: dict[str, Callable[[str], AbstractContextManager[RateLimits]]] = {
    "in-process": memory_store,
    "sqlite": sqlite_store,
    "postgres": postgres_store,
}


def latency(store: RateLimits, hits: int) -> tuple[float, float]:
    samples = []
    for n in range(hits):
        started = time.perf_counter()
        store.hit(f"ip:{n % 50}", BIG, 60.0)
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def throughput(store: RateLimits, hits: int, threads: int) -> float:
    barrier = threading.Barrier(threads + 1)

    def run(index: int) -> None:
        barrier.wait()
        for n in range(hits // threads):
            key = "hot" if index % 2 == 0 else f"k:{index}:{n % 100}"
            store.hit(key, BIG, 60.0)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return (hits // threads) * threads / (time.perf_counter() - started)


def http_overhead(requests: int) -> tuple[float, float]:
    """p50 microseconds of GET /api/users/me without and with both request limits."""
    import logging

    import structlog

    from adapters_in.http.config import HttpConfig
    from tests.http.conftest import build_api

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for config in (
            HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=0),
            HttpConfig(rate_limit_per_ip=BIG, rate_limit_per_user=BIG),
        ):
            store = SqliteRateLimits(Path(directory) / f"limits-{len(results)}.sqlite3")
            api = build_api(config, rate_limits=store)
            headers = api.auth("alice")
            for _ in range(200):  # warm-up
                api.client.simulate_get("/api/users/me", headers=headers)
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                assert api.client.simulate_get("/api/users/me", headers=headers).status_code == 200
                samples.append((time.perf_counter() - started) * 1e6)
            results.append(statistics.median(samples))
            store.close()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--dsn", default=os.environ.get("POSTGRES") or os.environ.get("POSTGRES_TEST") or LOCAL_DSN
    )
    args = parser.parse_args()
    print(f"{'store':<11} {'p50 us':>8} {'p99 us':>8} {f'{args.threads} thr hits/s':>16}")
    for name, opener in STORES.items():
        with opener(args.dsn) as store:
            latency(store, 200)  # warm-up: connections, prepared statements, file creation
            p50, p99 = latency(store, args.hits)
            rate = throughput(store, args.hits, args.threads)
        print(f"{name:<11} {p50:>8.0f} {p99:>8.0f} {rate:>16,.0f}")
    off, on = http_overhead(args.requests)
    print(
        f"\nGET /api/users/me in process, p50: limits off {off:.0f} us, on (SQLite store) "
        f"{on:.0f} us: +{on - off:.0f} us per request"
    )


if __name__ == "__main__":
    main()
