"""Conflicts, potential duplicates, the quarantine and the audit log."""

from __future__ import annotations

import attrs

from domain.duplicates import PotentialDuplicate, pair_key
from ports.repositories import AuditEntry, RejectedEvent
from tests.contract.builders import conflict, t, tenant


def _tenant(database) -> None:
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()


def test_conflicts_are_added_once_and_listed_oldest_first(database):
    _tenant(database)
    first, second = conflict("e1", "l1", detected=2), conflict("e1", "l2", detected=1)
    with database() as uow:
        assert uow.conflicts.add_many("t1", [first, second]) == 2
        assert uow.conflicts.add_many("t1", [first]) == 0
        uow.commit()
    with database() as uow:
        assert uow.conflicts.get("t1", first.id) == first
        assert uow.conflicts.get("t1", "nope") is None
        assert [c.id for c in uow.conflicts.list("t1", None, 10, 0)] == [second.id, first.id]
        resolved = attrs.evolve(
            first, status="resolved", resolution="keep", resolved_at=t(9), resolved_by="1"
        )
        uow.conflicts.update("t1", resolved)
        uow.commit()
    with database() as uow:
        assert uow.conflicts.get("t1", first.id) == resolved
        assert [c.id for c in uow.conflicts.list("t1", "open", 10, 0)] == [second.id]
        assert uow.conflicts.count("t1", "open") == 1
        assert uow.conflicts.count("t1", None) == 2
        assert uow.conflicts.list("t1", None, 1, 1)[0].id == first.id


def _pair(a: str, b: str, detected: float = 0) -> PotentialDuplicate:
    return PotentialDuplicate(
        entity_guid=a,
        duplicate_guid=b,
        score=0.91,
        reasons=("same normalised name", "same date of birth"),
        detected_at=t(detected),
    )


def test_duplicate_pairs_are_unordered_and_added_once(database):
    _tenant(database)
    with database() as uow:
        assert uow.duplicates.add_many("t1", [_pair("a", "b"), _pair("c", "d", 1)]) == 2
        assert uow.duplicates.add_many("t1", [_pair("b", "a")]) == 0
        uow.commit()
    with database() as uow:
        found = uow.duplicates.get_many("t1", [pair_key("b", "a"), "x|y"])
        assert list(found.values()) == [_pair("a", "b")]
        assert [p.key for p in uow.duplicates.list("t1", "pending", 10, 0)] == ["a|b", "c|d"]
        assert uow.duplicates.count("t1", "pending") == 2


def test_resolving_pairs_known_or_not(database):
    _tenant(database)
    with database() as uow:
        uow.duplicates.add_many("t1", [_pair("a", "b")])
        uow.duplicates.set_status("t1", "a|b", "kept-both", t(5), "ev1")
        uow.duplicates.set_status("t1", "x|y", "kept-both", t(6), "ev2")
        uow.commit()
    with database() as uow:
        pairs = uow.duplicates.get_many("t1", ["a|b", "x|y"])
        assert pairs["a|b"].status == "kept-both"
        assert pairs["a|b"].resolved_by_event == "ev1"
        assert pairs["a|b"].resolved_at == t(5)
        assert pairs["x|y"].status == "kept-both"
        assert uow.duplicates.count("t1", "pending") == 0
        assert uow.duplicates.count("t1", None) == 2
        assert uow.duplicates.add_many("t1", [_pair("y", "x")]) == 0  # never re-flagged


def test_dropping_pending_pairs_of_deleted_entities(database):
    _tenant(database)
    with database() as uow:
        uow.duplicates.add_many("t1", [_pair("a", "b"), _pair("c", "d"), _pair("a", "e")])
        uow.duplicates.set_status("t1", "a|e", "kept-both", t(1), None)
        uow.duplicates.drop_pending_for("t1", ["a"])
        uow.commit()
    with database() as uow:
        assert sorted(p.key for p in uow.duplicates.list("t1", None, 10, 0)) == ["a|e", "c|d"]


def _rejected(guid: str, raw: object, received: float, code: str = "entity-not-found"):
    return RejectedEvent(
        guid=guid, raw=raw, code=code, message="why", received_at=t(received), pushed_by="3"
    )


def test_quarantine_keeps_raw_events_and_counts_attempts(database):
    _tenant(database)
    raw = {"guid": "g1", "data": {"a": [1, None]}, "id": 5}
    with database() as uow:
        uow.quarantine.put("t1", _rejected("g1", raw, 1))
        uow.quarantine.put("t1", _rejected("g2", None, 2, code="invalid-event"))
        uow.quarantine.put("t1", _rejected("g1", raw, 3, code="not-a-group"))
        uow.commit()
    with database() as uow:
        first = uow.quarantine.get("t1", "g1")
        assert first is not None
        assert (first.raw, first.attempts, first.code, first.received_at) == (
            raw,
            2,
            "not-a-group",
            t(3),
        )
        assert [r.guid for r in uow.quarantine.list("t1", 10, 0)] == ["g1", "g2"]
        assert uow.quarantine.get("t1", "g2").raw is None
        assert uow.quarantine.count("t1") == 2
        uow.quarantine.remove("t1", ["g1", "zz"])
        uow.commit()
    with database() as uow:
        assert uow.quarantine.count("t1") == 1
        assert uow.quarantine.get("t1", "g1") is None


def _audit(guid: str, at: float, entity: str = "e1") -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=guid,
        timestamp=t(at),
        user_id="u1",
        action="update",
        entity_guid=entity,
        event_guid="ev-" + guid,
        changes={"age": [1, 2]},
    )


def test_audit_entries_get_ids_and_page_by_time(database):
    _tenant(database)
    with database() as uow:
        uow.audit.add_many("t1", [_audit("a", 2), _audit("b", 1), _audit("c", 3, "e2")])
        uow.commit()
    with database() as uow:
        everything = uow.audit.since("t1", None, 10)
        assert [e.guid for e in everything] == ["b", "a", "c"]
        assert all(e.id is not None for e in everything)
        assert everything[0].changes == {"age": [1, 2]}
        assert [e.guid for e in uow.audit.since("t1", t(1), 10)] == ["a", "c"]
        assert [e.guid for e in uow.audit.since("t1", None, 2)] == ["b", "a"]
        assert [e.guid for e in uow.audit.for_entity("t1", "e1", 10)] == ["b", "a"]
        after = everything[0].id
        assert "b" not in [e.guid for e in uow.audit.since("t1", None, 10, after_id=after)]


def test_pushing_unstorable_text_rejects_only_that_event(database):
    """End to end through the push use case on every backend: PostgreSQL refuses NUL."""
    from application.duplicate_detection import DuplicateDetector
    from application.push import PushEvents
    from domain.duplicates import stdlib_similarity
    from domain.event_types import EventTypes
    from tests.support.app import ADMIN
    from tests.support.clock import CountingIds, SteppingClock
    from tests.support.events import wire_event

    _tenant(database)
    push = PushEvents(
        database, SteppingClock(), CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    outcome = push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", "p1", {"name": "Ann"}, guid="fine"),
            wire_event("create-individual", "p2", {"name": "bad\x00"}, guid="nul"),
        ],
    )
    assert [(r.status, r.code) for r in outcome.results] == [
        ("applied", None),
        ("rejected", "invalid-text"),
    ]
    with database() as uow:
        assert uow.quarantine.get("t1", "nul").raw["data"] == {"name": "bad\ufffd"}
