"""Every built-in event type, its effects and every rejection path (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from domain.errors import DomainError
from domain.event_types import EventTypes
from domain.events import Event
from domain.fold import Fold

T0 = datetime(2025, 1, 1, tzinfo=UTC)
TYPES = EventTypes()


def ev(
    guid: str,
    type_: str,
    entity: str,
    data: dict[str, Any],
    minute: float = 0,
    user: str = "u1",
    received: float | None = None,
) -> Event:
    return Event(
        guid=guid,
        entity_guid=entity,
        type=type_,
        data=data,
        timestamp=T0 + timedelta(minutes=minute),
        user_id=user,
        received_at=T0 + timedelta(minutes=received if received is not None else minute + 0.5),
    )


def fold_of(*events: Event) -> Fold:
    fold = Fold(assume_absent=True)
    for event in events:
        TYPES.apply_now(fold, event)
    return fold


def rejected(fold: Fold, event: Event) -> DomainError:
    with pytest.raises(DomainError) as caught:
        TYPES.apply_now(fold, event)
    return caught.value


def test_create_individual_names_and_versions_the_entity():
    fold = fold_of(ev("1", "create-individual", "p1", {"name": "Ann", "age": 3}, minute=5))
    ann = fold.get("p1")
    assert ann is not None
    assert (ann.type, ann.name, dict(ann.data), ann.version) == (
        "individual",
        "Ann",
        {"name": "Ann", "age": 3},
        1,
    )
    assert ann.last_updated == T0 + timedelta(minutes=5)  # device time, not server time


def test_create_without_a_name_is_unnamed():
    assert fold_of(ev("1", "create-individual", "p1", {"age": 3})).get("p1").name == (
        "Unnamed Individual"
    )
    assert fold_of(ev("1", "create-group", "h1", {"size": 3})).get("h1").name == "Unnamed Group"


def test_updates_merge_shallowly_and_count_versions():
    fold = fold_of(
        ev("1", "create-individual", "p1", {"name": "Ann", "address": {"city": "A"}}),
        ev("2", "update-individual", "p1", {"age": 2}, minute=1),
        ev("3", "update-individual", "p1", {"age": 3, "address": {"zip": "9"}}, minute=2),
    )
    ann = fold.get("p1")
    assert dict(ann.data) == {"name": "Ann", "address": {"zip": "9"}, "age": 3}
    assert ann.version == 3  # upstream dropped the third update: we do not


def test_update_of_a_missing_entity_creates_it():
    assert fold_of(ev("1", "update-individual", "p1", {"name": "Bo"})).get("p1").version == 1


def test_create_group_creates_or_merges_members_and_keeps_members_out_of_data():
    fold = fold_of(
        ev("0", "create-individual", "p1", {"name": "Ann", "age": 30}),
        ev(
            "1",
            "create-group",
            "h1",
            {
                "name": "House",
                "members": [
                    {"guid": "p1", "age": 31},
                    {"guid": "p2", "name": "Bo"},
                    {"guid": "h2", "type": "group", "name": "Sub"},
                ],
            },
            minute=1,
        ),
    )
    house = fold.get("h1")
    assert house.member_ids == ("p1", "p2", "h2")
    assert "members" not in house.data
    assert dict(fold.get("p1").data) == {"name": "Ann", "age": 31}  # merged, not overwritten
    assert fold.get("p1").version == 2
    assert fold.get("h2").type == "group"


def test_update_group_adds_each_member_once():
    fold = fold_of(
        ev("1", "create-group", "h1", {"name": "H", "members": [{"guid": "p1"}]}),
        ev(
            "2",
            "update-group",
            "h1",
            {"members": [{"guid": "p1"}, {"guid": "p2"}, {"guid": "p2"}]},
            minute=1,
        ),
    )
    assert fold.get("h1").member_ids == ("p1", "p2")


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ("not a list", "invalid-field"),
        ([{"name": "no guid"}], "missing-field"),
        (["p1"], "invalid-field"),
        ([{"guid": "p1", "type": "robot"}], "invalid-field"),
    ],
)
def test_group_members_must_be_well_formed(members, code):
    error = rejected(Fold(assume_absent=True), ev("1", "create-group", "h1", {"members": members}))
    assert error.code == code


def test_add_member_needs_an_existing_group_and_members():
    fold = fold_of(ev("1", "create-individual", "p1", {"name": "Ann"}))
    assert rejected(fold, ev("2", "add-member", "h9", {"members": [{"guid": "x"}]})).code == (
        "entity-not-found"
    )
    assert rejected(fold, ev("3", "add-member", "p1", {"members": [{"guid": "x"}]})).code == (
        "not-a-group"
    )
    fold = fold_of(ev("1", "create-group", "h1", {"name": "H"}))
    assert rejected(fold, ev("4", "add-member", "h1", {"other": 1})).code == "missing-field"
    assert rejected(fold, ev("5", "add-member", "h1", {"members": []})).code == "invalid-field"


def test_add_member_creates_or_merges_members():
    fold = fold_of(
        ev("1", "create-group", "h1", {"name": "H"}),
        ev("2", "add-member", "h1", {"members": [{"guid": "p1", "name": "Ann"}]}, minute=1),
        ev("3", "add-member", "h1", {"members": [{"guid": "p1", "age": 4}]}, minute=2),
    )
    assert fold.get("h1").member_ids == ("p1",)
    assert dict(fold.get("p1").data) == {"name": "Ann", "age": 4}
    assert fold.get("h1").version == 3


def test_remove_member_deletes_a_sub_group_tree_but_keeps_individuals():
    fold = fold_of(
        ev(
            "1",
            "create-group",
            "h1",
            {"name": "H", "members": [{"guid": "p1"}, {"guid": "sub", "type": "group"}]},
        ),
        ev(
            "2",
            "add-member",
            "sub",
            {"members": [{"guid": "p2"}, {"guid": "subsub", "type": "group"}]},
            minute=1,
        ),
        ev("3", "remove-member", "h1", {"memberId": "sub"}, minute=2),
    )
    assert fold.get("h1").member_ids == ("p1",)
    assert fold.get("sub").deleted and fold.get("subsub").deleted
    assert not fold.get("p2").deleted  # individual members are kept


def test_remove_member_of_an_individual_just_unlinks_it():
    fold = fold_of(
        ev("1", "create-group", "h1", {"members": [{"guid": "p1"}]}),
        ev("2", "remove-member", "h1", {"memberId": "p1"}, minute=1),
    )
    assert fold.get("h1").member_ids == ()
    assert not fold.get("p1").deleted


def test_remove_member_rejections():
    fold = fold_of(ev("1", "create-group", "h1", {"name": "H"}))
    assert rejected(fold, ev("2", "remove-member", "h1", {"x": 1})).code == "missing-field"
    assert rejected(fold, ev("3", "remove-member", "h1", {"memberId": 5})).code == "invalid-field"
    assert rejected(fold, ev("4", "remove-member", "nope", {"memberId": "a"})).code == (
        "entity-not-found"
    )


def test_delete_entity_tombstones_a_group_and_its_members_recursively():
    fold = fold_of(
        ev(
            "1", "create-group", "h1", {"members": [{"guid": "p1"}, {"guid": "s", "type": "group"}]}
        ),
        ev("2", "add-member", "s", {"members": [{"guid": "p2"}]}, minute=1),
        ev("3", "delete-entity", "h1", {"reason": "moved"}, minute=2),
    )
    assert all(fold.get(g).deleted for g in ("h1", "p1", "s", "p2"))
    assert fold.deleted == {"h1", "p1", "s", "p2"}


def test_deleting_a_missing_entity_is_a_no_op():
    fold = fold_of(ev("1", "delete-entity", "ghost", {"reason": "x"}))
    assert fold.get("ghost") is None
    assert fold.changed == set()


def test_deletion_absorbs_later_events_with_a_conflict_record():
    fold = fold_of(
        ev("1", "create-individual", "p1", {"name": "Ann"}),
        ev("2", "delete-entity", "p1", {"reason": "dup"}, minute=1),
        ev("3", "update-individual", "p1", {"name": "Anne"}, minute=2),
    )
    ann = fold.get("p1")
    assert ann.deleted
    assert ann.name == "Ann"
    assert [(c.kind, c.loser_event_guid, c.winner_event_guid) for c in fold.conflicts] == [
        ("update-after-delete", "3", "2")
    ]


def test_resolve_duplicate_records_pairs_and_optionally_deletes():
    keep = fold_of(
        ev("1", "create-individual", "a", {"name": "A"}),
        ev(
            "2",
            "resolve-duplicate",
            "a",
            {"duplicates": [{"entityGuid": "a", "duplicateGuid": "b"}], "shouldDelete": False},
            1,
        ),
    )
    assert [(r.entity_guid, r.duplicate_guid, r.deleted) for r in keep.resolutions] == [
        ("a", "b", False)
    ]
    assert not keep.get("a").deleted
    drop = fold_of(
        ev("1", "create-individual", "a", {"name": "A"}),
        ev(
            "2",
            "resolve-duplicate",
            "a",
            {"duplicates": [{"entityGuid": "a", "duplicateGuid": "b"}], "shouldDelete": True},
            1,
        ),
    )
    assert drop.get("a").deleted


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"shouldDelete": True}, "missing-field"),
        ({"duplicates": []}, "invalid-field"),
        ({"duplicates": ["a"]}, "invalid-field"),
        ({"duplicates": [{"entityGuid": "a"}]}, "missing-field"),
        (
            {"duplicates": [{"entityGuid": "a", "duplicateGuid": "b"}], "shouldDelete": "yes"},
            "invalid-field",
        ),
    ],
)
def test_resolve_duplicate_rejections(data, code):
    assert rejected(Fold(assume_absent=True), ev("1", "resolve-duplicate", "a", data)).code == code


def test_unknown_types_are_rejected_and_custom_types_can_be_registered():
    assert rejected(Fold(assume_absent=True), ev("1", "teleport", "a", {"x": 1})).code == (
        "invalid-event-type"
    )
    types = EventTypes()

    def tag(fold: Fold, event: Event) -> None:
        current = fold.get(event.entity_guid)
        fold.put(attrs.evolve(current, data={**current.data, "tag": event.data["tag"]}))

    types.register("tag-entity", tag)
    fold = fold_of(ev("1", "create-individual", "a", {"name": "A"}))
    types.apply_now(fold, ev("2", "tag-entity", "a", {"tag": "vip"}, 1))
    assert fold.get("a").data["tag"] == "vip"
    with pytest.raises(ValueError, match="already registered"):
        types.register("tag-entity", tag)


def test_wrong_entity_type_is_rejected():
    fold = fold_of(ev("1", "create-group", "h1", {"name": "H"}))
    assert rejected(fold, ev("2", "update-individual", "h1", {"name": "X"}, 1)).code == (
        "wrong-entity-type"
    )


def test_a_failing_event_leaves_no_partial_state():
    fold = fold_of(ev("1", "create-group", "h1", {"name": "H"}))
    before = dict(fold.entities)
    changed = set(fold.changed)
    # The first member is fine, the second collides with the group's own type.
    error = rejected(
        fold,
        ev(
            "2",
            "add-member",
            "h1",
            {"members": [{"guid": "p1", "name": "new"}, {"guid": "h1", "name": "self"}]},
            1,
        ),
    )
    assert error.code == "wrong-entity-type"
    assert fold.entities == {**before, "p1": None}
    assert fold.changed == changed


def test_concurrent_edits_of_one_field_leave_a_conflict_record():
    fold = fold_of(
        ev("1", "create-individual", "p1", {"name": "Ann", "age": 1}, minute=0, user="a"),
        # Device b edits at minute 3, before the server received device a's edit (minute 6).
        ev("2", "update-individual", "p1", {"age": 2}, minute=2, user="a", received=6),
        ev("3", "update-individual", "p1", {"age": 3}, minute=3, user="b", received=7),
    )
    assert fold.get("p1").data["age"] == 3  # last writer by (timestamp, guid)
    [conflict] = fold.conflicts
    assert (
        conflict.kind,
        conflict.field,
        conflict.winner_event_guid,
        conflict.loser_event_guid,
        conflict.winner_value,
        conflict.loser_value,
    ) == ("concurrent-update", "age", "3", "2", 3, 2)


def test_an_informed_edit_is_not_a_conflict():
    fold = fold_of(
        ev("1", "create-individual", "p1", {"age": 1}, minute=0, user="a", received=1),
        ev("2", "update-individual", "p1", {"age": 2}, minute=5, user="b"),  # after receipt
        ev("3", "update-individual", "p1", {"age": 3}, minute=6, user="b"),  # same user
    )
    assert fold.conflicts == []
