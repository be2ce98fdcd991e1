"""Entities and the duplicate match-key index."""

from __future__ import annotations

from ports.repositories import EntityQuery
from tests.contract.builders import entity, tenant


def _save(database, entities, keys=None) -> None:
    with database() as uow:
        if uow.tenants.get("t1") is None:
            uow.tenants.add(tenant("t1"))
        uow.entities.save_many("t1", entities, keys or {})
        uow.commit()


def test_entities_round_trip_exactly(database):
    group = entity("h1", type_="group", members=("p2", "p1"), data={"name": "House", "n": None})
    gone = entity("p3", deleted=True)
    _save(database, [entity("p1"), group, gone])
    with database() as uow:
        assert uow.entities.get("t1", "h1") == group
        assert uow.entities.get("t1", "p3") == gone
        assert uow.entities.get("t1", "nope") is None
        assert set(uow.entities.get_many("t1", ["p1", "h1", "nope"])) == {"p1", "h1"}
        assert uow.entities.get_many("t2", ["p1"]) == {}


def test_save_many_upserts(database):
    _save(database, [entity("p1", name="Ann")])
    _save(database, [entity("p1", name="Anne", updated=5)])
    with database() as uow:
        stored = uow.entities.get("t1", "p1")
        assert stored is not None and stored.name == "Anne"
        assert uow.entities.count("t1") == 1


def test_find_by_keys_uses_current_keys_and_skips_deleted(database):
    _save(
        database,
        [entity("p1"), entity("p2"), entity("p3", deleted=True)],
        {"p1": ["n:ann", "d:2000-01-01"], "p2": ["n:bob"], "p3": ["n:ann"]},
    )
    with database() as uow:
        assert {e.guid for e in uow.entities.find_by_keys("t1", ["n:ann"], 10)} == {"p1"}
        assert {e.guid for e in uow.entities.find_by_keys("t1", ["n:ann", "n:bob"], 10)} == {
            "p1",
            "p2",
        }
        assert uow.entities.find_by_keys("t1", ["n:zed"], 10) == []
    _save(database, [entity("p1", name="Zed")], {"p1": ["n:zed"]})  # keys are replaced
    with database() as uow:
        assert uow.entities.find_by_keys("t1", ["n:ann"], 10) == []
        assert [e.guid for e in uow.entities.find_by_keys("t1", ["n:zed"], 10)] == ["p1"]


def test_list_is_newest_first_with_filters(database):
    _save(
        database,
        [
            entity("a", updated=1),
            entity("b", updated=3),
            entity("c", updated=2, deleted=True),
            entity("h", updated=4, type_="group", data={"name": "H", "entityName": "household"}),
        ],
    )
    with database() as uow:
        assert [e.guid for e in uow.entities.list("t1", EntityQuery())] == ["h", "b", "a"]
        assert [e.guid for e in uow.entities.list("t1", EntityQuery(limit=1, offset=1))] == ["b"]
        assert [e.guid for e in uow.entities.list("t1", EntityQuery(type="individual"))] == [
            "b",
            "a",
        ]
        assert [e.guid for e in uow.entities.list("t1", EntityQuery(entity_name="household"))] == [
            "h"
        ]
        assert [e.guid for e in uow.entities.list("t1", EntityQuery(include_deleted=True))] == [
            "h",
            "b",
            "c",
            "a",
        ]


def test_counts_skip_deleted_entities(database):
    _save(
        database,
        [
            entity("a"),
            entity("b"),
            entity("c", deleted=True),
            entity("h", type_="group", data={"name": "H", "entityName": "household"}),
            entity("x", data={"name": "no form"}),
        ],
    )
    with database() as uow:
        assert uow.entities.count("t1") == 4
        assert uow.entities.count_by_form("t1") == {"person": 2, "household": 1}
        assert uow.entities.count("t2") == 0


def test_remove_many_forgets_entities_and_their_keys(database):
    _save(database, [entity("p1"), entity("p2")], {"p1": ["n:ann"], "p2": ["n:ann"]})
    with database() as uow:
        uow.entities.remove_many("t1", ["p1", "never-existed"])
        uow.commit()
    with database() as uow:
        assert uow.entities.get("t1", "p1") is None
        assert [e.guid for e in uow.entities.find_by_keys("t1", ["n:ann"], 10)] == ["p2"]
        assert uow.entities.count("t1") == 1


def test_find_by_keys_bounds_each_key_separately(database):
    crowd = [entity(f"c{i}") for i in range(5)]
    _save(
        database,
        [*crowd, entity("x1"), entity("zz", deleted=True)],
        {**{e.guid: ["n:unknown"] for e in crowd}, "x1": ["n:rare", "n:unknown"]},
    )
    with database() as uow:
        found = [e.guid for e in uow.entities.find_by_keys("t1", ["n:unknown", "n:rare"], 2)]
        assert found == ["c0", "c1", "x1"]  # two from the crowd, the rare one still found
        assert uow.entities.find_by_keys("t1", ["n:unknown"], 0) == []


def test_find_by_keys_leaves_out_the_excluded_without_counting_them(database):
    crowd = [entity(f"c{i}") for i in range(4)]
    _save(database, crowd, {e.guid: ["n:unknown"] for e in crowd})
    with database() as uow:
        found = uow.entities.find_by_keys("t1", ["n:unknown"], 2, exclude=["c0", "c1", "zz"])
        assert [e.guid for e in found] == ["c2", "c3"]  # the bound applies after exclusion
        assert uow.entities.find_by_keys("t1", ["n:unknown"], 10, exclude=[]) == crowd
