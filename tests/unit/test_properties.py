"""Properties of sync: arrival order never matters, re-pushes are no-ops, bad events are
isolated. These drive the real push use case over the in-memory adapter."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from domain.event_parsing import parse_event
from domain.event_types import EventTypes
from domain.refold import refold
from tests.support.app import ADMIN, make_app
from tests.support.events import at

PEOPLE = [f"p{i}" for i in range(5)]
HOUSES = [f"h{i}" for i in range(3)]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _event(
    guid: str, type_: str, entity: str, data: dict[str, Any], minute: int, user: str
) -> dict[str, Any]:
    return {
        "guid": guid,
        "entityGuid": entity,
        "type": type_,
        "data": data,
        "timestamp": at(minute),
        "userId": user,
        "syncLevel": 0,
    }


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    """(setup, events): setup creates every group first; ``events`` may arrive in any order."""
    setup = [_event(f"setup-{h}", "create-group", h, {"name": h}, -1000, "admin") for h in HOUSES]
    count = draw(st.integers(min_value=1, max_value=14))
    events = []
    for index in range(count):
        kind = draw(st.sampled_from(["person", "person", "house", "delete", "remove", "add"]))
        minute = draw(st.integers(min_value=0, max_value=6))  # collisions on purpose
        user = draw(st.sampled_from(["a", "b"]))
        guid = f"ev-{index:02d}"
        if kind == "person":
            data = {draw(st.sampled_from(["name", "age", "village"])): draw(st.integers(0, 3))}
            type_ = draw(st.sampled_from(["create-individual", "update-individual"]))
            events.append(_event(guid, type_, draw(st.sampled_from(PEOPLE)), data, minute, user))
        elif kind == "house":
            members = [
                {"guid": p, "age": draw(st.integers(0, 3))}
                for p in draw(st.lists(st.sampled_from(PEOPLE), max_size=3))
            ]
            data = {"size": draw(st.integers(0, 3)), "members": members}
            events.append(
                _event(guid, "update-group", draw(st.sampled_from(HOUSES)), data, minute, user)
            )
        elif kind == "add":
            members = [{"guid": draw(st.sampled_from(PEOPLE))}]
            events.append(
                _event(
                    guid,
                    "add-member",
                    draw(st.sampled_from(HOUSES)),
                    {"members": members},
                    minute,
                    user,
                )
            )
        elif kind == "remove":
            events.append(
                _event(
                    guid,
                    "remove-member",
                    draw(st.sampled_from(HOUSES)),
                    {"memberId": draw(st.sampled_from(PEOPLE))},
                    minute,
                    user,
                )
            )
        else:
            target = draw(st.sampled_from(PEOPLE + HOUSES))
            events.append(_event(guid, "delete-entity", target, {"reason": "x"}, minute, user))
    return setup, events


def _push_in_batches(app, events: list[dict], cuts: list[int]) -> list[str]:
    statuses, start = [], 0
    for cut in [*sorted(set(cuts)), len(events)]:
        if cut > start:
            outcome = app.push("t1", ADMIN, events[start:cut])
            statuses.extend(r.status for r in outcome.results)
            start = cut
    return statuses


@SETTINGS
@given(histories(), st.randoms(use_true_random=False), st.lists(st.integers(0, 14), max_size=4))
def test_any_arrival_order_gives_the_same_state(history, random, cuts):
    setup, events = history
    in_order = make_app()
    in_order.push("t1", ADMIN, setup)
    assert set(
        _push_in_batches(in_order, sorted(events, key=lambda e: (e["timestamp"], e["guid"])), [])
    ) <= {"applied"}
    shuffled = list(events)
    random.shuffle(shuffled)
    arrival = [(e["guid"], e["type"], e["entityGuid"], e["timestamp"][11:16]) for e in shuffled]
    note(f"arrival: {arrival} cuts={cuts}")
    other = make_app()
    other.push("t1", ADMIN, setup)
    statuses = _push_in_batches(other, shuffled, cuts)
    assert set(statuses) == {"applied"}
    assert other.states() == in_order.states()
    # And both equal the pure fold of all events from scratch.
    parsed = [parse_event(e) for e in setup + events]
    folded = refold(parsed, EventTypes(), new_event_guids=set())
    expected = {
        g: (e.type, e.name, dict(e.data), e.version, e.member_ids, e.deleted, e.last_updated)
        for g, e in folded.entities.items()
        if e is not None
    }
    assert other.states() == expected


@SETTINGS
@given(histories(), st.lists(st.integers(0, 13), min_size=1, max_size=6))
def test_pushing_an_event_twice_equals_pushing_it_once(history, picks):
    setup, events = history
    app = make_app()
    app.push("t1", ADMIN, setup + events)
    states, feed = app.states(), app.feed()
    again = [events[i % len(events)] for i in picks]
    outcome = app.push("t1", ADMIN, again)
    assert {r.status for r in outcome.results} == {"duplicate"}
    assert (app.states(), app.feed()) == (states, feed)


BROKEN = [
    None,
    7,
    "text",
    [],
    {"guid": "x"},
    {
        "entityGuid": "e",
        "type": "create-individual",
        "data": {"a": 1},
        "timestamp": "2025-01-01T00:00:00Z",
        "userId": "u",
    },  # no guid
    {
        "guid": "bad-ts",
        "entityGuid": "e",
        "type": "create-individual",
        "data": {"a": 1},
        "timestamp": "01/01/2025",
        "userId": "u",
    },
    {
        "guid": "bad-type",
        "entityGuid": "e",
        "type": "explode",
        "data": {"a": 1},
        "timestamp": "2025-01-01T00:00:00Z",
        "userId": "u",
    },
    {
        "guid": "no-group",
        "entityGuid": "missing",
        "type": "add-member",
        "data": {"members": [{"guid": "m"}]},
        "timestamp": "2025-01-01T00:00:00Z",
        "userId": "u",
    },
    {
        "guid": "empty-data",
        "entityGuid": "e",
        "type": "create-individual",
        "data": {},
        "timestamp": "2025-01-01T00:00:00Z",
        "userId": "u",
    },
]


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.integers(0, len(BROKEN) - 1).map(lambda i: ("bad", i)),
            st.integers(0, 10_000).map(lambda i: ("good", i)),
        ),
        min_size=1,
        max_size=30,
        unique=True,
    )
)
def test_invalid_events_never_poison_a_batch(items):
    app = make_app()
    batch, expected = [], []
    for kind, value in items:
        if kind == "good":
            batch.append(
                _event(
                    f"good-{value}",
                    "create-individual",
                    f"p-{value}",
                    {"name": f"n{value}"},
                    value % 50,
                    "u",
                )
            )
            expected.append("applied")
        else:
            batch.append(BROKEN[value])
            expected.append("rejected")
    # The same broken event twice in one batch is still rejected twice (not "duplicate").
    outcome = app.push("t1", ADMIN, batch)
    assert [r.status for r in outcome.results] == expected
    assert all(r.code for r in outcome.results if r.status == "rejected")
    goods = [v for k, v in items if k == "good"]
    assert len(app.states()) == len(goods)
    assert len(app.feed()) == len(goods)
    with app.db() as uow:
        assert uow.quarantine.count("t1") >= 1 if expected.count("rejected") else True
