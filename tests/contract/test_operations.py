"""Retention purges, pull activity and job runs: the same behaviour on every backend."""

from __future__ import annotations

from ports.repositories import AuditEntry, RejectedEvent
from tests.contract.builders import t, tenant

COMMON_TARGETS = ("read-audit", "quarantine", "expired-leases", "job-runs")


def _audit(guid: str, at: float, action: str, origin: str = "server") -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=guid,
        timestamp=t(at),
        user_id="system",
        action=action,
        entity_guid="e1",
        event_guid="",
        changes={},
        origin=origin,  # type: ignore[arg-type]
    )


def _setup_tenants(database) -> None:
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.tenants.add(tenant("t2"))
        uow.commit()


def _purge_all(database, target: str, before, limit: int) -> list[int]:
    batches = []
    while True:
        with database() as uow:
            gone = uow.retention.purge(target, before, limit)
            uow.commit()
        batches.append(gone)
        if gone < limit:
            return batches


def test_every_backend_supports_the_common_targets_and_ignores_unknown_ones(database):
    with database(read_only=True) as uow:
        assert all(uow.retention.supports(name) for name in COMMON_TARGETS)
        assert not uow.retention.supports("events")
        assert uow.retention.count("events", t(10**6)) == 0


def test_read_audit_purge_takes_only_old_server_reads(database):
    _setup_tenants(database)
    with database() as uow:
        uow.audit.add_many(
            "t1",
            [
                _audit("old-read", 10, "read-entity"),
                _audit("old-read-2", 20, "read-all-entities"),
                _audit("new-read", 200, "read-entity"),
                _audit("old-change", 10, "update-entity"),
                _audit("device-read", 10, "read-entity", origin="device"),
            ],
        )
        uow.audit.add_many("t2", [_audit("t2-old-read", 30, "search-entities")])
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.retention.count("read-audit", t(100)) == 3
    assert _purge_all(database, "read-audit", t(100), limit=2) == [2, 1]
    with database(read_only=True) as uow:
        left = {e.guid for e in uow.audit.since("t1", None, 100)}
        assert left == {"new-read", "old-change", "device-read"}
        assert uow.audit.since("t2", None, 100) == []
        assert uow.retention.count("read-audit", t(100)) == 0


def test_quarantine_purge_takes_only_entries_received_before_the_cutoff(database):
    _setup_tenants(database)
    with database() as uow:
        for guid, received in (("old", 10), ("edge", 100), ("new", 150)):
            uow.quarantine.put(
                "t1",
                RejectedEvent(
                    guid=guid,
                    raw={"guid": guid},
                    code="invalid-event",
                    message="why",
                    received_at=t(received),
                    pushed_by="3",
                ),
            )
        uow.commit()
    assert _purge_all(database, "quarantine", t(100), limit=10) == [1]
    with database(read_only=True) as uow:
        assert {r.guid for r in uow.quarantine.list("t1", 10, 0)} == {"edge", "new"}


def test_expired_leases_and_finished_job_runs_are_purged_by_age(database):
    with database() as uow:
        assert uow.leases.acquire("dead", "a", t(0), t(10))
        assert uow.leases.acquire("alive", "b", t(0), t(500))
        old = uow.job_runs.start("retention", "h:1", t(0), False)
        stuck = uow.job_runs.start("retention", "h:2", t(5), False)  # never finished
        new = uow.job_runs.start("retention", "h:3", t(300), False)
        uow.job_runs.finish(old, t(1), "succeeded", {"read-audit": 3}, None)
        uow.job_runs.finish(new, t(301), "failed", {}, "StorageUnavailable")
        uow.commit()
    assert _purge_all(database, "expired-leases", t(100), limit=10) == [1]
    assert _purge_all(database, "job-runs", t(100), limit=10) == [1]
    with database(read_only=True) as uow:
        assert uow.leases.holder("alive", t(50)) == "b"
        assert uow.leases.holder("dead", t(5)) is None
        assert [r.id for r in uow.job_runs.recent("retention", 10)] == [new, stuck]


def test_job_runs_record_status_counts_and_the_last_finished_run(database):
    with database() as uow:
        first = uow.job_runs.start("retention", "host-a:10", t(0), False)
        uow.job_runs.finish(first, t(2), "succeeded", {"read-audit": 5, "job-runs": 0}, None)
        dry = uow.job_runs.start("retention", "host-b:11", t(50), True)
        uow.job_runs.finish(dry, t(51), "succeeded", {}, None)
        running = uow.job_runs.start("retention", "host-b:11", t(60), False)
        uow.job_runs.start("other", "host-b:11", t(70), False)
        uow.commit()
    with database(read_only=True) as uow:
        runs = uow.job_runs.recent("retention", 10)
        assert [r.id for r in runs] == [running, dry, first]
        assert runs[0].status == "running" and runs[0].finished_at is None
        done = runs[2]
        assert (done.runner, done.status, done.dry_run) == ("host-a:10", "succeeded", False)
        assert (done.started_at, done.finished_at) == (t(0), t(2))
        assert dict(done.counts) == {"read-audit": 5, "job-runs": 0}
        assert runs[1].dry_run is True
        assert uow.job_runs.recent("retention", 1)[0].id == running
        assert uow.job_runs.last_finished("retention") == t(2)
        assert uow.job_runs.last_finished("retention", dry_run=True) == t(51)
        assert uow.job_runs.last_finished("nothing") is None


def test_pull_activity_keeps_the_latest_pull_per_tenant(database):
    _setup_tenants(database)
    with database() as uow:
        uow.pull_activity.record({"t1": t(10), "t2": t(20)})
        uow.commit()
    with database() as uow:
        uow.pull_activity.record({"t1": t(5), "t2": t(30)})  # a slower worker flushes later
        uow.pull_activity.record({})
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.pull_activity.last_pulls(["t1", "t2", "t3"]) == {"t1": t(10), "t2": t(30)}
        assert uow.pull_activity.last_pulls([]) == {}
    with database() as uow:
        assert uow.tenants.delete("t1")
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.pull_activity.last_pulls(["t1", "t2"]) == {"t2": t(30)}


def test_feed_restores_count_epochs_per_tenant(database):
    _setup_tenants(database)
    with database() as uow:
        assert uow.feed_restores.heads("t1") == []
        assert uow.feed_restores.record("t1", 120, t(0)) == 1
        assert uow.feed_restores.record("t2", 7, t(0)) == 1
        assert uow.feed_restores.record("t1", 90, t(10)) == 2
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.feed_restores.heads("t1") == [120, 90]
        assert uow.feed_restores.heads("t2") == [7]
    with database() as uow:
        assert uow.tenants.delete("t1")
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.feed_restores.heads("t1") == []
