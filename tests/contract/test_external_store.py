"""External-sync storage: outbox order and states, id map, cursors and runs, on every backend."""

from __future__ import annotations

import attrs

from ports.external_store import IdMapping, NewOutboxRow, SyncRun
from tests.contract.builders import t, tenant


def _new(n: int, entity: str = "e1", op: str = "create") -> NewOutboxRow:
    return NewOutboxRow(event_guid=f"ev{n}", entity_guid=entity, op=op, idempotency_key=f"k{n}")


def _setup(database) -> None:
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.tenants.add(tenant("t2"))
        uow.commit()


def test_rows_come_back_in_enqueue_order_and_a_repeat_is_ignored(database):
    _setup(database)
    with database() as uow:
        # guids deliberately not in sort order: order is the enqueue (feed) order
        uow.external.enqueue("t1", "mock", [_new(9), _new(2), _new(5)], t(0))
        uow.commit()
    with database() as uow:
        uow.external.enqueue("t1", "mock", [_new(2, op="update"), _new(1)], t(1))
        uow.external.enqueue("t2", "mock", [_new(3)], t(1))
        uow.commit()
    with database(read_only=True) as uow:
        due = uow.external.due("t1", "mock", t(2), 10)
        assert [r.event_guid for r in due] == ["ev9", "ev2", "ev5", "ev1"]
        assert due[1].op == "create" and due[1].idempotency_key == "k2"
        assert due[0].status == "pending" and due[0].attempts == 0
        assert due[0].created_at == t(0)
        assert [r.event_guid for r in uow.external.due("t1", "mock", t(2), 2)] == ["ev9", "ev2"]
        assert uow.external.due("t1", "other", t(2), 10) == []
        assert [r.event_guid for r in uow.external.due("t2", "mock", t(2), 10)] == ["ev3"]


def test_an_uncommitted_enqueue_leaves_nothing(database):
    _setup(database)
    with database() as uow:
        uow.external.enqueue("t1", "mock", [_new(1)], t(0))
    with database(read_only=True) as uow:
        assert uow.external.due("t1", "mock", t(1), 10) == []


def test_settled_rows_leave_the_due_list_and_dead_ones_can_be_requeued(database):
    _setup(database)
    with database() as uow:
        uow.external.enqueue("t1", "mock", [_new(1), _new(2), _new(3), _new(4)], t(0))
        uow.commit()
    with database() as uow:
        one, two, three, four = uow.external.due("t1", "mock", t(1), 10)
        uow.external.settle(
            "t1",
            [
                attrs.evolve(one, status="done", attempts=1, external_ref="wo-1"),
                attrs.evolve(two, attempts=1, next_attempt_at=t(60), last_error="503"),
                attrs.evolve(three, status="dead", attempts=5, last_error="gave up"),
                attrs.evolve(four, status="rejected", attempts=1, last_error="invalid"),
            ],
            t(1),
        )
        uow.commit()
    with database() as uow:
        assert uow.external.due("t1", "mock", t(59), 10) == []
        later = uow.external.due("t1", "mock", t(60), 10)
        assert [(r.event_guid, r.attempts, r.last_error) for r in later] == [("ev2", 1, "503")]
        assert later[0].updated_at == t(1)
        failed = uow.external.outbox("t1", None, ("dead", "rejected"), 10, 0)
        assert [(r.event_guid, r.status) for r in failed] == [("ev3", "dead"), ("ev4", "rejected")]
        assert uow.external.outbox("t1", "mock", ("done",), 10, 0)[0].external_ref == "wo-1"
        assert uow.external.outbox("t1", "other", ("done",), 10, 0) == []
        assert uow.external.outbox("t1", None, ("dead", "rejected"), 1, 1)[0].event_guid == "ev4"
        assert uow.external.counts("t1") == {"done": 1, "pending": 1, "dead": 1, "rejected": 1}
        assert uow.external.requeue("t1", ["ev1", "ev3", "ev4", "nope"], t(2)) == 2
        uow.commit()
    with database(read_only=True) as uow:
        due = uow.external.due("t1", "mock", t(60), 10)
        assert [(r.event_guid, r.attempts, r.last_error) for r in due] == [
            ("ev2", 1, "503"),
            ("ev3", 0, None),
            ("ev4", 0, None),
        ]
        assert uow.external.counts("t2") == {}


def test_id_map_both_ways_and_a_remote_id_moves_to_its_new_entity(database):
    _setup(database)
    with database() as uow:
        uow.external.map_ids(
            "t1",
            "openspp",
            [
                IdMapping(entity_guid="e1", external_model="res.partner", external_id="7"),
                IdMapping(entity_guid="e2", external_model="res.partner", external_id="8"),
            ],
        )
        uow.external.map_ids(
            "t2",
            "openspp",
            [IdMapping(entity_guid="e1", external_model="res.partner", external_id="99")],
        )
        uow.commit()
    with database() as uow:
        found = uow.external.mapped("t1", "openspp", ["e1", "e2", "e3"])
        assert {g: m.external_id for g, m in found.items()} == {"e1": "7", "e2": "8"}
        by_remote = uow.external.mapped_external("t1", "openspp", "res.partner", ["8", "9"])
        assert list(by_remote) == ["8"] and by_remote["8"].entity_guid == "e2"
        assert uow.external.mapped("t1", "mock", ["e1"]) == {}
        assert uow.external.mapped_external("t1", "openspp", "other", ["7"]) == {}
        uow.external.map_ids(
            "t1",
            "openspp",
            [
                IdMapping(
                    entity_guid="e1",
                    external_model="res.partner",
                    external_id="7",
                    last_seen_version="2025-01-01 00:00:00",
                ),
                IdMapping(entity_guid="e3", external_model="res.partner", external_id="8"),
            ],
        )
        uow.commit()
    with database(read_only=True) as uow:
        found = uow.external.mapped("t1", "openspp", ["e1", "e2", "e3"])
        assert {g: m.external_id for g, m in found.items()} == {"e1": "7", "e3": "8"}
        assert found["e1"].last_seen_version == "2025-01-01 00:00:00"
        assert uow.external.mapped("t2", "openspp", ["e1"])["e1"].external_id == "99"


def test_cursors_are_per_tenant_system_and_direction(database):
    _setup(database)
    with database() as uow:
        assert uow.external.cursor("t1", "openspp", "pull") is None
        uow.external.set_cursor("t1", "openspp", "pull", "a", t(0))
        uow.external.set_cursor("t1", "openspp", "pull", "b", t(1))
        uow.external.set_cursor("t1", "openspp", "push", "p", t(1))
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.cursor("t1", "openspp", "pull") == "b"
        assert uow.external.cursor("t1", "openspp", "push") == "p"
        assert uow.external.cursor("t2", "openspp", "pull") is None
        assert uow.external.cursor("t1", "mock", "pull") is None


def test_callback_token_hashes_are_replaced_per_tenant_and_system(database):
    _setup(database)
    with database() as uow:
        assert uow.external.callback_hash("t1", "openfn") is None
        uow.external.set_callback_hash("t1", "openfn", "h1", t(0))
        uow.external.set_callback_hash("t1", "openfn", "h2", t(1))
        uow.external.set_callback_hash("t2", "openfn", "x", t(1))
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.callback_hash("t1", "openfn") == "h2"
        assert uow.external.callback_hash("t1", "mock") is None
        assert uow.external.callback_hash("t2", "openfn") == "x"


def test_runs_are_saved_replaced_and_listed_newest_first(database):
    _setup(database)
    first = SyncRun(
        id="r1", tenant_id="t1", system="mock", trigger="api", status="running", started_at=t(0)
    )
    with database() as uow:
        uow.external.save_run(first)
        uow.external.save_run(attrs.evolve(first, id="r2", started_at=t(10)))
        uow.external.save_run(attrs.evolve(first, id="r3", tenant_id="t2"))
        uow.commit()
    done = attrs.evolve(
        first,
        status="partial",
        finished_at=t(5),
        pushed=3,
        rejected=1,
        pulled=2,
        errors=({"kind": "permanent", "message": "ValidationError"},),
    )
    with database() as uow:
        uow.external.save_run(done)
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.run("r1") == done
        assert uow.external.run("nope") is None
        assert [r.id for r in uow.external.runs("t1", 10, 0)] == ["r2", "r1"]
        assert [r.id for r in uow.external.runs("t1", 1, 1)] == ["r1"]


def test_deleting_a_tenant_removes_its_external_data(database):
    _setup(database)
    with database() as uow:
        uow.external.enqueue("t1", "mock", [_new(1)], t(0))
        uow.external.set_cursor("t1", "mock", "pull", "c", t(0))
        uow.external.set_callback_hash("t1", "mock", "h", t(0))
        uow.external.map_ids(
            "t1", "mock", [IdMapping(entity_guid="e1", external_model="m", external_id="1")]
        )
        uow.external.save_run(
            SyncRun(
                id="r1",
                tenant_id="t1",
                system="mock",
                trigger="api",
                status="running",
                started_at=t(0),
            )
        )
        uow.commit()
    with database() as uow:
        assert uow.tenants.delete("t1")
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.due("t1", "mock", t(1), 10) == []
        assert uow.external.cursor("t1", "mock", "pull") is None
        assert uow.external.mapped("t1", "mock", ["e1"]) == {}
        assert uow.external.run("r1") is None
        assert uow.external.callback_hash("t1", "mock") is None


def test_retention_purges_only_delivered_rows_older_than_the_cutoff(database):
    _setup(database)
    with database() as uow:
        uow.external.enqueue("t1", "mock", [_new(1), _new(2), _new(3)], t(0))
        uow.commit()
    with database() as uow:
        one, two, three = uow.external.due("t1", "mock", t(1), 10)
        uow.external.settle("t1", [attrs.evolve(one, status="done")], t(10))
        uow.external.settle("t1", [attrs.evolve(two, status="done")], t(100))
        uow.external.settle("t1", [attrs.evolve(three, status="dead")], t(10))
        uow.commit()
    with database() as uow:
        assert uow.retention.supports("delivered-outbox")
        assert uow.retention.count("delivered-outbox", t(50)) == 1
        assert uow.retention.purge("delivered-outbox", t(50), 100) == 1
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.counts("t1") == {"done": 1, "dead": 1}


def test_retention_purges_finished_runs_but_keeps_each_systems_newest(database):
    _setup(database)

    def run(run_id: str, system: str, start: float, end: float | None) -> SyncRun:
        return SyncRun(
            id=run_id,
            tenant_id="t1",
            system=system,
            trigger="schedule",
            status="running" if end is None else "succeeded",
            started_at=t(start),
            finished_at=None if end is None else t(end),
        )

    with database() as uow:
        for r in (
            run("old", "mock", 0, 5),  # finished long ago, a newer run exists: goes
            run("old-running", "mock", 6, None),  # never finished: kept
            run("recent", "mock", 200, 210),  # finished after the cutoff: kept (and newest)
            run("only", "openfn", 0, 5),  # old, but openfn's newest: its schedule needs it
        ):
            uow.external.save_run(r)
        uow.commit()
    with database() as uow:
        assert uow.retention.supports("external-runs")
        assert uow.retention.count("external-runs", t(100)) == 1
        assert uow.retention.purge("external-runs", t(100), 100) == 1
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.external.run("old") is None
        assert {r.id for r in uow.external.runs("t1", 10, 0)} == {"old-running", "recent", "only"}
