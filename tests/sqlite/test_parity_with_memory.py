"""The SQLite adapter is indistinguishable from the reference in-memory adapter.

Random histories (creates, late updates that force re-folds, groups and members, deletions,
look-alike people, re-pushes, guid reuse, broken events) are pushed through the real
``PushEvents`` use case into both backends, in the same batches; afterwards every read the
ports offer must return equal values.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters_out.memory.uow import MemoryDatabase
from application.duplicate_detection import DuplicateDetector
from application.push import PushEvents
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from ports.repositories import EntityQuery, TenantQuery
from tests.conftest import ADMIN
from tests.support.clock import CountingIds, SteppingClock
from tests.support.events import at
from tests.support.sqlite_backend import sqlite_database

PEOPLE = [f"p{i}" for i in range(6)]
HOUSES = [f"h{i}" for i in range(2)]
NAMES = ["Ann Lee", "Anne Lee", "Bob Ray", "Rob Ray"]
ALL = 100_000


def _wire(guid: str, type_: str, entity: str, data: dict[str, Any], minute: int) -> dict:
    return {
        "guid": guid,
        "entityGuid": entity,
        "type": type_,
        "data": data,
        "timestamp": at(minute),
        "userId": "u-" + guid[-1],
        "syncLevel": 0,
    }


@st.composite
def histories(draw: st.DrawFn) -> list[dict]:
    events: list[dict] = []
    for index in range(draw(st.integers(1, 16))):
        guid, minute = f"ev-{index:02d}", draw(st.integers(0, 8))
        kind = draw(st.sampled_from(["person", "person", "house", "add", "remove", "delete"]))
        person, house = draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(HOUSES))
        if kind == "person":
            data: dict[str, Any] = {"name": draw(st.sampled_from(NAMES)), "entityName": "person"}
            if draw(st.booleans()):
                data["dob"] = draw(st.sampled_from(["1990-01-01", "1991-02-02"]))
            type_ = draw(st.sampled_from(["create-individual", "update-individual"]))
            events.append(_wire(guid, type_, person, data, minute))
        elif kind == "house":
            members = [{"guid": p, "name": "M"} for p in draw(st.lists(st.sampled_from(PEOPLE)))]
            events.append(
                _wire(guid, "create-group", house, {"size": minute, "members": members}, minute)
            )
        elif kind == "add":
            data = {"members": [{"guid": person}]}
            events.append(_wire(guid, "add-member", house, data, minute))
        elif kind == "remove":
            events.append(_wire(guid, "remove-member", house, {"memberId": person}, minute))
        else:
            target = draw(st.sampled_from(PEOPLE + HOUSES))
            events.append(_wire(guid, "delete-entity", target, {"reason": "x"}, minute))
    extras = draw(st.lists(st.integers(0, len(events) - 1), max_size=3))
    events += [events[i] for i in extras]  # plain re-pushes
    if draw(st.booleans()):  # the same guid with other content: guid-reuse
        events.append({**events[0], "data": {"name": "Someone else"}})
    if draw(st.booleans()):
        events.append({"guid": "broken", "type": "create-individual"})
    return events


def _push_all(db: object, events: list[dict], cuts: list[int]) -> list[tuple]:
    push = PushEvents(
        db, SteppingClock(), CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    with db() as uow:  # type: ignore[operator]
        uow.tenants.add(Tenant(id="t1", name="One", artifact_id="a" * 32))
        uow.tenants.add(Tenant(id="t2", name="Two", artifact_id="b" * 32))
        uow.commit()
    results, start = [], 0
    for cut in [*sorted(set(cuts)), len(events)]:
        if cut > start:
            results += push("t1", ADMIN, events[start:cut]).results
            start = cut
    return results


def _snapshot(db: object) -> dict[str, Any]:
    with db() as uow:  # type: ignore[operator]
        events = uow.events.page("t1", 0, ALL)
        guids = [e.guid for e in events]
        entities = uow.entities.list("t1", EntityQuery(limit=ALL, include_deleted=True))
        return {
            "events": events,
            "head": uow.events.head("t1"),
            "status": uow.events.status("t1"),
            "touches": uow.events.touches_of("t1", guids),
            "touching": uow.events.touching("t1", PEOPLE + HOUSES),
            "for_entity": [uow.events.for_entity("t1", g, ALL) for g in PEOPLE + HOUSES],
            "entities": entities,
            "live": uow.entities.list("t1", EntityQuery(limit=ALL)),
            "persons": uow.entities.list("t1", EntityQuery(limit=3, entity_name="person")),
            "count": (uow.entities.count("t1"), uow.entities.count_by_form("t1")),
            "conflicts": uow.conflicts.list("t1", None, ALL, 0),
            "open": uow.conflicts.count("t1", "open"),
            "duplicates": uow.duplicates.list("t1", None, ALL, 0),
            "pending": uow.duplicates.count("t1", "pending"),
            "quarantine": uow.quarantine.list("t1", ALL, 0),
            "audit": uow.audit.since("t1", None, ALL),
            "audit_p0": uow.audit.for_entity("t1", "p0", ALL),
            "tenants": uow.tenants.page(TenantQuery(sort_by="entitiesCount")),
            "t2": (uow.events.head("t2"), uow.entities.count("t2")),
        }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.lists(st.integers(0, 20), max_size=4))
def test_sqlite_and_memory_agree_after_any_push_history(events, cuts):
    memory = MemoryDatabase()
    expected_results = _push_all(memory, events, cuts)
    with tempfile.TemporaryDirectory() as tmp, sqlite_database(Path(tmp)) as sqlite:
        assert _push_all(sqlite, events, cuts) == expected_results
        actual, expected = _snapshot(sqlite), _snapshot(memory)
    for key, value in expected.items():
        assert actual[key] == value, key
