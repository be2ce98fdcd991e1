"""Every SQL adapter is indistinguishable from the reference in-memory adapter.

Random push histories (creates, late updates that force re-folds, groups and members,
deletions, look-alike people, re-pushes, guid reuse, broken events) go through the real
``PushEvents`` into both backends in the same batches; then every read the ports offer must
return equal values. One database serves every example: each one uses a tenant of its own.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters_out.memory.uow import MemoryDatabase
from application.duplicate_detection import DuplicateDetector
from application.push import PushEvents
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from ports.repositories import EntityQuery
from tests.conftest import ADMIN
from tests.support.clock import CountingIds, SteppingClock
from tests.support.events import at

PEOPLE = [f"p{i}" for i in range(6)]
HOUSES = ["h0", "h1"]
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
    for index in range(draw(st.integers(1, 14))):
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
            events.append(_wire(guid, "add-member", house, {"members": [{"guid": person}]}, minute))
        elif kind == "remove":
            events.append(_wire(guid, "remove-member", house, {"memberId": person}, minute))
        else:
            target = draw(st.sampled_from(PEOPLE + HOUSES))
            events.append(_wire(guid, "delete-entity", target, {"reason": "x"}, minute))
    events += [events[i] for i in draw(st.lists(st.integers(0, len(events) - 1), max_size=3))]
    if draw(st.booleans()):  # the same guid with other content: guid-reuse
        events.append({**events[0], "data": {"name": "Someone else"}})
    if draw(st.booleans()):
        events.append({"guid": "broken", "type": "create-individual"})
    return events


def _push_all(db: Any, tenant_id: str, events: list[dict], cuts: list[int]) -> list[Any]:
    push = PushEvents(
        db, SteppingClock(), CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    with db() as uow:
        uow.tenants.add(Tenant(id=tenant_id, name="One", artifact_id="a" * 32))
        uow.commit()
    results, start = [], 0
    for cut in [*sorted(set(cuts)), len(events)]:
        if cut > start:
            results += push(tenant_id, ADMIN, events[start:cut]).results
            start = cut
    return results


def _snapshot(db: Any, t: str) -> dict[str, Any]:
    with db() as uow:
        events = uow.events.page(t, 0, ALL)
        guids = [e.guid for e in events]
        audit = uow.audit.since(t, None, ALL)
        return {
            "events": events,
            "head": uow.events.head(t),
            "status": attrs.evolve(uow.events.status(t), tenant_id="-"),
            "touches": uow.events.touches_of(t, guids),
            "touching": uow.events.touching(t, PEOPLE + HOUSES),
            "for_entity": [uow.events.for_entity(t, g, ALL) for g in PEOPLE + HOUSES],
            "entities": uow.entities.list(t, EntityQuery(limit=ALL, include_deleted=True)),
            "live": uow.entities.list(t, EntityQuery(limit=ALL)),
            "persons": uow.entities.list(t, EntityQuery(limit=3, entity_name="person")),
            "count": (uow.entities.count(t), uow.entities.count_by_form(t)),
            "candidates": uow.entities.find_by_keys(t, ["n:ann lee", "d:1990-01-01"], ALL),
            "conflicts": uow.conflicts.list(t, None, ALL, 0),
            "open": uow.conflicts.count(t, "open"),
            "duplicates": uow.duplicates.list(t, None, ALL, 0),
            "pending": uow.duplicates.count(t, "pending"),
            "quarantine": uow.quarantine.list(t, ALL, 0),
            # Audit ids come from one sequence for the whole database: compare order, not ids.
            "audit": [attrs.evolve(e, id=None) for e in audit],
            "audit_ids_increase": all(a.id < b.id for a, b in itertools.pairwise(audit)),  # type: ignore[operator]
            "audit_p0": [attrs.evolve(e, id=None) for e in uow.audit.for_entity(t, "p0", ALL)],
        }


_tenants = itertools.count()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(histories(), st.lists(st.integers(0, 20), max_size=4))
def test_sql_adapters_agree_with_memory_after_any_push_history(sql_database, events, cuts):
    database = sql_database
    tenant_id = f"t{next(_tenants)}"
    memory = MemoryDatabase()
    expected_results = _push_all(memory, tenant_id, events, cuts)
    assert _push_all(database, tenant_id, events, cuts) == expected_results
    actual, expected = _snapshot(database, tenant_id), _snapshot(memory, tenant_id)
    for key, value in expected.items():
        assert actual[key] == value, key
