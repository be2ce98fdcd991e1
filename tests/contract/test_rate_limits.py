"""The shared rate-limit store (GCRA), on every implementation: in process, a SQLite file,
PostgreSQL. Time is injected, so refills are exact."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from adapters_out.memory.limits import MemoryRateLimits
from ports.limits import RateLimits

T0 = 1_750_000_000.0


@attrs.define
class Clock:
    now: float = T0

    def __call__(self) -> float:
        return self.now


@attrs.frozen
class Limits:
    store: RateLimits
    clock: Clock


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def limits(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Limits]:
    clock = Clock()
    if request.param == "memory":
        yield Limits(MemoryRateLimits(now=clock), clock)
    elif request.param == "sqlite":
        from adapters_out.sqlite.limits import SqliteRateLimits

        store = SqliteRateLimits(tmp_path / "limits.sqlite3", now=clock)
        yield Limits(store, clock)
        store.close()
    else:
        from adapters_out.postgres.limits import PgRateLimits
        from tests.support.postgres_backend import postgres_database

        with postgres_database() as db:
            yield Limits(PgRateLimits(db, now=clock), clock)


def test_a_burst_of_the_limit_then_one_per_interval(limits: Limits) -> None:
    store, clock = limits.store, limits.clock
    assert [store.hit("k", 3, 60.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert store.hit("k", 3, 60.0) == pytest.approx(20.0)  # one comes back every 20 s
    assert store.hit("other", 3, 60.0) == 0.0  # keys are independent
    clock.now += 19.0
    assert store.hit("k", 3, 60.0) == pytest.approx(1.0)
    clock.now += 1.0
    assert store.hit("k", 3, 60.0) == 0.0
    assert store.hit("k", 3, 60.0) > 0


def test_a_refused_hit_counts_nothing(limits: Limits) -> None:
    store, clock = limits.store, limits.clock
    assert store.hit("k", 1, 10.0) == 0.0
    for _ in range(5):
        assert store.hit("k", 1, 10.0) > 0
    clock.now += 10.0
    assert store.hit("k", 1, 10.0) == 0.0  # the refusals did not push the budget back


def test_refund_gives_one_back_and_reset_forgets(limits: Limits) -> None:
    store = limits.store
    assert store.hit("k", 2, 60.0) == 0.0 and store.hit("k", 2, 60.0) == 0.0
    assert store.hit("k", 2, 60.0) > 0
    store.refund("k", 2, 60.0)
    assert store.hit("k", 2, 60.0) == 0.0
    assert store.hit("k", 2, 60.0) > 0
    store.reset("k")
    assert store.hit("k", 2, 60.0) == 0.0
    store.refund("never-seen", 2, 60.0)  # nothing to give back: no error, no row
    store.reset("never-seen")


def test_purge_deletes_only_state_that_has_refilled(limits: Limits) -> None:
    store, clock = limits.store, limits.clock
    store.hit("short", 1, 10.0)
    store.hit("long", 1, 100.0)
    assert store.purge_expired(datetime.fromtimestamp(T0 + 5, UTC)) == 0
    assert store.purge_expired(datetime.fromtimestamp(T0 + 10, UTC)) == 1
    clock.now = T0 + 10
    assert store.hit("long", 1, 100.0) > 0  # "long" was kept: still limiting
    assert store.hit("short", 1, 10.0) == 0.0


def test_concurrent_hits_never_exceed_the_budget(limits: Limits) -> None:
    store = limits.store
    allowed: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def hammer() -> None:
        barrier.wait()
        for _ in range(10):
            ok = store.hit("shared", 25, 3600.0) == 0.0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(allowed) == 80 and allowed.count(True) == 25


def test_postgres_state_is_a_retention_target_of_the_cleanup_job(tmp_path: Path) -> None:
    """On PostgreSQL the limits table is in the main database, so the retention cleanup purges
    it (on SQLite the limits file purges itself, see ``PURGE_EVERY``)."""
    from adapters_out.postgres.limits import PgRateLimits
    from tests.support.postgres_backend import postgres_database

    clock = Clock()
    with postgres_database() as db:
        store = PgRateLimits(db, now=clock)
        store.hit("refilled", 1, 10.0)
        store.hit("busy", 1, 1000.0)
        cutoff = datetime.fromtimestamp(T0 + 100, UTC)
        with db() as uow:
            assert uow.retention.supports("rate-limits")
            assert uow.retention.count("rate-limits", cutoff) == 1
            assert uow.retention.purge("rate-limits", cutoff, 100) == 1
            uow.commit()
        clock.now = T0 + 100
        assert store.hit("busy", 1, 1000.0) > 0  # still limiting: kept


def test_the_sqlite_limits_file_purges_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from adapters_out.sqlite import limits as sqlite_limits

    monkeypatch.setattr(sqlite_limits, "PURGE_EVERY", 3)
    clock = Clock()
    store = sqlite_limits.SqliteRateLimits(tmp_path / "limits.sqlite3", now=clock)
    store.hit("refilled", 1, 1.0)
    store.hit("busy", 1, 1000.0)
    clock.now = T0 + 10
    store.hit("new", 1, 1000.0)  # the third hit purges first
    store.close()
    with sqlite3.connect(tmp_path / "limits.sqlite3") as conn:
        keys = {row[0] for row in conn.execute("SELECT key FROM rate_limits")}
    assert keys == {"busy", "new"}
