"""The domain's rules for late events and phantom entities (no storage involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.entities import Entity
from domain.events import Event
from domain.lateness import Lateness, sorts_after

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def ev(guid: str, minute: float, entity: str = "p1") -> Event:
    return Event(
        guid=guid,
        entity_guid=entity,
        type="update-individual",
        data={},
        timestamp=T0 + timedelta(minutes=minute),
        user_id="u1",
    )


def entity(last: Event | None) -> Entity:
    return Entity(
        guid="p1",
        type="individual",
        name="Ann",
        data={},
        version=1,
        last_updated=T0,
        last_event_key=None if last is None else last.order_key,
    )


def test_an_event_is_late_for_an_entity_that_already_folded_a_later_one():
    rules = Lateness()
    folded = entity(ev("b", minute=5))
    assert rules.is_late("p1", folded, ev("a", minute=1))
    assert not rules.is_late("p1", folded, ev("c", minute=9))
    assert sorts_after(folded, ev("a", minute=1))


def test_equal_device_times_are_ordered_by_guid():
    folded = entity(ev("m", minute=5))
    assert Lateness().is_late("p1", folded, ev("a", minute=5))
    assert not Lateness().is_late("p1", folded, ev("z", minute=5))


def test_an_entity_that_never_folded_anything_makes_nothing_late():
    rules = Lateness()
    assert not rules.is_late("p1", entity(None), ev("a", minute=1))
    assert not rules.is_late("p1", None, ev("a", minute=1))


def test_a_phantom_remembers_the_latest_event_that_named_it():
    rules = Lateness()
    # A delete (minute 5) and a link (minute 3) named p1 before it existed.
    rules.remember(ev("del", 5), ["p1"], exists=lambda g: False)
    rules.remember(ev("link", 3), ["p1"], exists=lambda g: False)
    assert rules.phantom_keys["p1"] == ev("del", 5).order_key
    assert rules.is_late("p1", None, ev("create", 1))  # its create sorts before the delete
    assert not rules.is_late("p1", None, ev("late-create", 7))


def test_remember_skips_entities_that_exist():
    rules = Lateness()
    rules.remember(ev("e", 5), ["p1", "p2"], exists=lambda g: g == "p1")
    assert set(rules.phantom_keys) == {"p2"}


def test_stored_history_marks_only_the_absent_entities_it_touched():
    rules = Lateness()
    stored = {"old": ev("old", 4, entity="g1"), "older": ev("older", 2, entity="g1")}
    touches = {"old": {"g1", "p1"}, "older": {"g1", "p2"}}
    rules.note_history({"p1", "p2", "p3"}, stored, touches)
    assert rules.phantom_keys == {"p1": stored["old"].order_key, "p2": stored["older"].order_key}
    assert rules.any_late(ev("new", 3), ["p3", "p1"], before=lambda g: None)
    assert not rules.any_late(ev("new", 3), ["p3", "p2"], before=lambda g: None)
