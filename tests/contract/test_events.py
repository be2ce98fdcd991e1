"""The event store and the gap-free feed."""

from __future__ import annotations

import attrs
import pytest

from tests.contract.builders import event, t, tenant


def _setup(database, *tenant_ids: str) -> None:
    with database() as uow:
        for tid in tenant_ids or ("t1",):
            uow.tenants.add(tenant(tid))
        uow.commit()


def _push(database, tenant_id: str, events) -> list[int]:
    with database() as uow:
        uow.events.claim(tenant_id, events)
        seqs = uow.events.number(tenant_id, list(events))
        uow.commit()
    return seqs


def test_claim_returns_only_new_guids_and_round_trips_the_event(database):
    _setup(database)
    first = event("g1", data={"name": "Ann", "deep": {"list": [1, "x", None], "b": True}})
    with database() as uow:
        assert uow.events.claim("t1", [first, event("g2")]) == {"g1", "g2"}
        assert uow.events.claim("t1", [event("g2"), event("g3")]) == {"g3"}
        assert uow.events.number("t1", [first]) == [1]
        uow.commit()
    with database() as uow:
        stored = uow.events.get_many("t1", ["g1", "missing"])
        assert list(stored) == ["g1"]
        assert stored["g1"] == attrs.evolve(first, seq=1)
        assert uow.events.claim("t1", [first, event("g2")]) == {"g2"}


def test_the_same_guid_in_two_tenants_is_two_events(database):
    _setup(database, "t1", "t2")
    with database() as uow:
        assert uow.events.claim("t1", [event("g1")]) == {"g1"}
        assert uow.events.claim("t2", [event("g1")]) == {"g1"}


def test_a_claimed_event_that_is_not_numbered_leaves_no_trace(database):
    _setup(database)
    with database() as uow:
        assert uow.events.claim("t1", [event("g1"), event("g2")]) == {"g1", "g2"}
        assert uow.events.get_many("t1", ["g1"]) == {}  # claimed is not stored
        assert uow.events.number("t1", [event("g1")]) == [1]
        uow.commit()
    with database() as uow:
        assert set(uow.events.get_many("t1", ["g1", "g2"])) == {"g1"}
        assert uow.events.claim("t1", [event("g2")]) == {"g2"}


def test_only_events_claimed_in_the_unit_of_work_can_be_numbered_once(database):
    _setup(database)
    for events in ([event("never-claimed")], [event("g1"), event("g1")]):
        # Each backend raises its own storage error; the unit of work rolls back.
        with pytest.raises(Exception, match="claimed"), database() as uow:
            uow.events.claim("t1", [event("g1")])
            uow.events.number("t1", events)
            uow.commit()
    with database() as uow:
        assert uow.events.head("t1") == 0
        assert uow.events.get_many("t1", ["g1"]) == {}


def test_numbering_is_consecutive_per_tenant_and_pages_follow_seq(database):
    _setup(database, "t1", "t2")
    assert _push(database, "t1", [event("c", at=3), event("a", at=1)]) == [1, 2]
    assert _push(database, "t2", [event("x")]) == [1]
    assert _push(database, "t1", [event("b", at=2)]) == [3]
    with database() as uow:
        assert uow.events.head("t1") == 3
        assert uow.events.head("t2") == 1
        assert uow.events.head("t-unknown") == 0
        assert [(e.guid, e.seq) for e in uow.events.page("t1", 0, 10)] == [
            ("c", 1),
            ("a", 2),
            ("b", 3),
        ]
        assert [e.guid for e in uow.events.page("t1", 1, 1)] == ["a"]
        assert uow.events.page("t1", 3, 10) == []
        assert [e.guid for e in uow.events.page("t2", 0, 10)] == ["x"]


def test_unnumbered_events_are_never_served(database):
    _setup(database)
    _push(database, "t1", [event("a")])
    with database() as uow:
        uow.events.claim("t1", [event("pending")])
        assert [e.guid for e in uow.events.page("t1", 0, 10)] == ["a"]


def test_touch_index_finds_events_by_entity(database):
    _setup(database)
    _push(database, "t1", [event("g1", "house"), event("g2", "ann"), event("g3", "bob")])
    with database() as uow:
        uow.events.record_touches("t1", {"g1": ["house", "ann"], "g2": ["ann"], "g3": ["bob"]})
        uow.events.record_touches("t1", {"g1": ["house"]})  # idempotent
        uow.commit()
    with database() as uow:
        assert set(uow.events.touching("t1", ["ann"])) == {"g1", "g2"}
        assert set(uow.events.touching("t1", ["house", "bob"])) == {"g1", "g3"}
        assert uow.events.touching("t1", ["nobody"]) == {}
        assert uow.events.touches_of("t1", ["g1", "g3", "zz"]) == {
            "g1": {"house", "ann"},
            "g3": {"bob"},
        }


def test_legacy_since_starts_at_the_first_event_with_that_exact_timestamp(database):
    _setup(database)
    _push(
        database, "t1", [event("a", at=10), event("b", at=20), event("c", at=20), event("d", at=30)]
    )
    with database() as uow:
        assert uow.events.legacy_start("t1", t(20), t(-10_000)) == 1  # resume after seq 1


def test_legacy_since_without_exact_match_uses_timestamp_or_receipt(database):
    _setup(database)
    _push(database, "t1", [event("a", at=10, received=100), event("b", at=40, received=100)])
    # A late device's event: old timestamp, received much later.
    _push(database, "t1", [event("late", at=5, received=500)])
    with database() as uow:
        assert uow.events.legacy_start("t1", t(25), t(1000)) == 1  # b (timestamp >= since)
        assert uow.events.legacy_start("t1", t(45), t(400)) == 2  # late (received >= floor)
        assert uow.events.legacy_start("t1", t(45), t(1000)) == 3  # nothing: the head


def test_for_entity_lists_its_events_oldest_first(database):
    _setup(database)
    _push(
        database, "t1", [event("b", "e1", at=20), event("a", "e1", at=10), event("x", "e2", at=5)]
    )
    with database() as uow:
        assert [e.guid for e in uow.events.for_entity("t1", "e1", 10)] == ["a", "b"]
        assert [e.guid for e in uow.events.for_entity("t1", "e1", 1)] == ["a"]


def test_status_reports_head_count_and_last_push(database):
    _setup(database)
    _push(database, "t1", [event("a", received=100), event("b", received=200)])
    with database() as uow:
        status = uow.events.status("t1")
        assert (status.head, status.events, status.last_push_at) == (2, 2, t(200))
        assert status.quarantined == 0


def test_a_page_is_bounded_by_bytes_but_always_holds_one_event(database):
    _setup(database)
    big = "x" * 3000  # each event's data is a little over 3,000 bytes of JSON
    _push(database, "t1", [event(f"g{i}", data={"text": big}, at=i) for i in range(5)])
    with database() as uow:
        assert len(uow.events.page("t1", 0, 10, max_bytes=10_000)) == 3
        assert [e.guid for e in uow.events.page("t1", 3, 10, max_bytes=10_000)] == ["g3", "g4"]
        # One event larger than the bound still comes, alone: the reader moves on.
        assert [e.guid for e in uow.events.page("t1", 0, 10, max_bytes=1_000)] == ["g0"]
        assert [e.data for e in uow.events.page("t1", 1, 1, max_bytes=1_000)] == [{"text": big}]
        assert len(uow.events.page("t1", 0, 2, max_bytes=1_000_000)) == 2  # count still bounds
        assert len(uow.events.page("t1", 0, 10)) == 5
