"""The retention cleanup (application.retention.Cleanup) on every backend: it deletes exactly
what is old, never an event, runs once at a time, and records each run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.duplicate_detection import DuplicateDetector
from application.leases import Leases
from application.pull import PullEvents
from application.push import PushEvents
from application.retention import JOB, Cleanup, RetentionPolicy
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from domain.users import Principal
from ports.repositories import AuditEntry, RejectedEvent
from tests.support.clock import CountingIds
from tests.support.cursors import CURSORS
from tests.support.events import wire_event

ADMIN = Principal(user_id="1", email="admin@example.org", role="ADMIN", tenants=("*",))
NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = RetentionPolicy(
    ages_s={"read-audit": 30 * 86400, "quarantine": 90 * 86400, "job-runs": 30 * 86400},
    batch=2,  # small, so that every target takes several batches
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def _read(guid: str, when: datetime) -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=guid,
        timestamp=when,
        user_id="system",
        action="read-entity",
        entity_guid="",
        event_guid="",
        changes={},
    )


def _rejected(guid: str, when: datetime) -> RejectedEvent:
    return RejectedEvent(
        guid=guid, raw={"guid": guid}, code="invalid-event", message="bad", received_at=when,
        pushed_by="1",
    )  # fmt: skip


@pytest.fixture
def world(database):
    clock = Clock(NOW - 400 * DAY)
    with database() as uow:
        uow.tenants.add(Tenant(id="t1", name="t1", artifact_id="0" * 32))
        uow.commit()
    push = PushEvents(
        database, clock, CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    # A year-old feed: every event and the entity history must survive any cleanup.
    events = [
        wire_event("create-individual", f"p{i}", {"name": f"P{i}"}, guid=f"ev-{i}")
        for i in range(7)
    ]
    outcome = push("t1", ADMIN, events)
    assert all(r.status == "applied" for r in outcome.results)
    with database() as uow:
        uow.audit.add_many(
            "t1",
            [_read(f"old-{i}", NOW - 31 * DAY - i * DAY) for i in range(5)]
            + [_read("recent", NOW - 29 * DAY)],
        )
        uow.quarantine.put("t1", _rejected("q-old", NOW - 91 * DAY))
        uow.quarantine.put("t1", _rejected("q-new", NOW - 89 * DAY))
        uow.commit()
    clock.current = NOW
    return database, clock


def _cleanup(database, clock, policy=POLICY, runner="host-a:1") -> Cleanup:
    return Cleanup(database, Leases(database, clock, CountingIds(runner)), clock, policy, runner)


def test_cleanup_deletes_exactly_what_is_old_and_every_event_stays(world):
    database, clock = world
    with database(read_only=True) as uow:
        audit_before = {e.guid for e in uow.audit.since("t1", None, 1000)}
    progress: list[tuple[str, int, bool]] = []
    result = _cleanup(database, clock)(progress=lambda *step: progress.append(step))

    assert result.ran and not result.dry_run
    assert dict(result.counts) == {"read-audit": 5, "quarantine": 1, "job-runs": 0}
    assert result.cutoffs["read-audit"] == NOW - 30 * DAY
    assert ("read-audit", 5, True) in progress and ("read-audit", 2, False) in progress
    with database(read_only=True) as uow:
        audit_after = {e.guid for e in uow.audit.since("t1", None, 1000)}
        assert audit_before - audit_after == {f"old-{i}" for i in range(5)}
        assert {r.guid for r in uow.quarantine.list("t1", 10, 0)} == {"q-new"}
        assert uow.entities.count("t1") == 7
        [run] = uow.job_runs.recent(JOB, 10)
    assert (run.id, run.status, run.runner) == (result.run_id, "succeeded", "host-a:1")
    assert dict(run.counts) == dict(result.counts)
    page = PullEvents(database, CURSORS)("t1", ADMIN, None, 1000)  # a device starting from scratch
    assert [e.guid for e in page.events] == [f"ev-{i}" for i in range(7)]
    assert page.next_cursor is None


def test_a_dry_run_counts_and_deletes_nothing(world):
    database, clock = world
    result = _cleanup(database, clock)(dry_run=True)
    assert result.dry_run and dict(result.counts) == {
        "read-audit": 5,
        "quarantine": 1,
        "job-runs": 0,
    }
    with database(read_only=True) as uow:
        assert len(uow.audit.since("t1", None, 1000)) == 6 + 7  # reads + the push's entries
        assert uow.quarantine.count("t1") == 2
        assert uow.job_runs.recent(JOB, 10) == []


def test_an_age_of_zero_keeps_a_target_forever(world):
    database, clock = world
    keep_all = RetentionPolicy(ages_s={"read-audit": 0, "quarantine": 0})
    result = _cleanup(database, clock, keep_all)()
    assert result.ran and dict(result.counts) == {}
    with database(read_only=True) as uow:
        assert uow.quarantine.count("t1") == 2


def test_only_one_cleanup_runs_while_the_lease_is_held_and_runs_are_spaced(world):
    database, clock = world
    first, second = _cleanup(database, clock, runner="a:1"), _cleanup(database, clock, runner="b:2")
    with Leases(database, clock, CountingIds("other")).held(JOB, 60) as lease:
        assert lease is not None
        assert second().ran is False
    assert first(unless_ran_within_s=3600).ran
    clock.current += timedelta(minutes=30)
    assert second(unless_ran_within_s=3600).ran is False  # ran half an hour ago
    clock.current += timedelta(minutes=31)
    assert second(unless_ran_within_s=3600).ran
    with database(read_only=True) as uow:
        assert [r.runner for r in uow.job_runs.recent(JOB, 10)] == ["b:2", "a:1"]


def test_a_failing_run_is_recorded_as_failed_and_frees_the_lease(world):
    database, clock = world

    cleanup = _cleanup(database, clock)
    calls = {"n": 0}
    original = cleanup._purge_batch

    def flaky(target, cutoff):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(target, cutoff)

    cleanup._purge_batch = flaky  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        cleanup()
    with database(read_only=True) as uow:
        [run] = uow.job_runs.recent(JOB, 10)
        assert (run.status, run.error) == ("failed", "RuntimeError")
        assert dict(run.counts) == {"read-audit": 2}
        assert uow.leases.holder(JOB, clock.now()) is None
    assert _cleanup(database, clock)().ran
