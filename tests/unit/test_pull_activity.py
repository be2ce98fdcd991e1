"""Pull activity is noted in memory and written at most once per flush interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters_out.memory.uow import MemoryDatabase
from application.leases import Leases
from application.pull_activity import PullActivity
from application.retention import JOB, Cleanup, RetentionPolicy
from bootstrap.background import Maintenance
from ports.errors import StorageUnavailable
from tests.support.clock import CountingIds

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.current = T0

    def now(self) -> datetime:
        return self.current


class CountingDatabase(MemoryDatabase):
    """Counts write units of work; can be switched off like an unreachable server."""

    def __init__(self) -> None:
        super().__init__()
        self.writes, self.down = 0, False

    def __call__(self, *, read_only: bool = False):  # type: ignore[override]
        if self.down:
            raise StorageUnavailable("down")
        if not read_only:
            self.writes += 1
        return super().__call__(read_only=read_only)


def stored(db: MemoryDatabase, *tenants: str) -> dict[str, datetime]:
    with db(read_only=True) as uow:
        return uow.pull_activity.last_pulls(tenants)


def test_many_pulls_cost_one_write_per_interval() -> None:
    db, clock = CountingDatabase(), Clock()
    activity = PullActivity(db, clock, flush_interval_s=60)
    for second in range(100):
        clock.current = T0 + timedelta(seconds=second * 0.1)
        activity.note("t1" if second % 2 else "t2")
        activity.flush_if_due()
    assert db.writes == 1  # the first call flushes; the next one is due a minute later
    assert stored(db, "t1", "t2") == {"t2": T0}
    assert activity.last_pulls(["t1", "t2"]) == {"t1": T0 + timedelta(seconds=9.9),
                                                  "t2": T0 + timedelta(seconds=9.8)}  # fmt: skip
    clock.current = T0 + timedelta(seconds=61)
    assert activity.flush_if_due()
    assert db.writes == 2
    assert stored(db, "t1", "t2") == {"t1": T0 + timedelta(seconds=9.9),
                                       "t2": T0 + timedelta(seconds=9.8)}  # fmt: skip
    assert activity.flush() == 0 and db.writes == 2  # nothing new: no write at all


def test_a_failed_flush_keeps_what_was_noted() -> None:
    db, clock = CountingDatabase(), Clock()
    activity = PullActivity(db, clock, flush_interval_s=60)
    activity.note("t1")
    db.down = True
    assert activity.flush() == 0
    db.down = False
    clock.current += timedelta(seconds=5)
    activity.note("t2")
    assert activity.flush() == 2
    assert stored(db, "t1", "t2") == {"t1": T0, "t2": T0 + timedelta(seconds=5)}


def test_the_maintenance_tick_flushes_and_runs_the_cleanup_when_due() -> None:
    db, clock = MemoryDatabase(), Clock()
    activity = PullActivity(db, clock, flush_interval_s=60)
    cleanup = Cleanup(db, Leases(db, clock, CountingIds()), clock, RetentionPolicy.defaults())
    maintenance = Maintenance(activity, cleanup, retention_interval_s=3600, flush_interval_s=60)
    activity.note("t1")
    maintenance.tick()
    maintenance.tick()  # not due again yet
    assert stored(db, "t1") == {"t1": T0}
    assert len(cleanup.recent_runs()) == 1
    clock.current += timedelta(hours=1)
    maintenance.tick()
    assert [r.status for r in cleanup.recent_runs()] == ["succeeded", "succeeded"]
    activity.note("t2")
    maintenance.stop()  # a worker exiting writes what it noted
    assert stored(db, "t2") == {"t2": T0 + timedelta(hours=1)}
    with db(read_only=True) as uow:
        assert uow.leases.holder(JOB, clock.now()) is None


def test_without_an_interval_the_server_never_runs_the_cleanup() -> None:
    db, clock = MemoryDatabase(), Clock()
    activity = PullActivity(db, clock)
    cleanup = Cleanup(db, Leases(db, clock, CountingIds()), clock, RetentionPolicy.defaults())
    Maintenance(activity, cleanup, retention_interval_s=0, flush_interval_s=60).tick()
    assert cleanup.recent_runs() == []
