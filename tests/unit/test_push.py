"""The push use case over the in-memory adapter: results, idempotency, quarantine, re-fold."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from domain.errors import Forbidden, InvalidEvent, NotFound
from domain.users import Principal
from tests.support.app import ADMIN, make_app
from tests.support.events import at, wire_event


def test_every_event_gets_a_result_in_input_order():
    app = make_app()
    good = wire_event("create-individual", "p1", {"name": "Ann"}, guid="g1")
    bad = wire_event("add-member", "missing", {"members": [{"guid": "x"}]}, guid="g2")
    outcome = app.push("t1", ADMIN, [good, None, bad, good])
    assert [(r.guid, r.status, r.code) for r in outcome.results] == [
        ("g1", "applied", None),
        (None, "rejected", "invalid-event"),
        ("g2", "rejected", "entity-not-found"),
        ("g1", "duplicate", None),
    ]
    assert (outcome.applied, outcome.duplicates, outcome.rejected, outcome.status) == (
        1,
        1,
        2,
        "partial",
    )


def test_a_re_push_with_client_side_fields_changed_is_a_duplicate():
    app = make_app()
    event = wire_event("create-individual", "p1", {"name": "Ann", "tags": ["a"]})
    app.push("t1", ADMIN, [event])
    pulled_back = {
        **event,
        "syncLevel": 1,
        "id": 999,
        "userId": "someone-else",
        "timestamp": event["timestamp"].replace(".", ".")[:-1] + "Z",
        "data": {"tags": ["a"], "name": "Ann"},
    }  # key order differs
    outcome = app.push("t1", ADMIN, [pulled_back])
    assert outcome.results[0].status == "duplicate"
    assert outcome.status == "success"


def test_same_guid_with_different_content_is_rejected_as_guid_reuse():
    app = make_app()
    event = wire_event("create-individual", "p1", {"name": "Ann"})
    app.push("t1", ADMIN, [event])
    outcome = app.push("t1", ADMIN, [{**event, "data": {"name": "Eve"}}])
    assert (outcome.results[0].status, outcome.results[0].code) == ("rejected", "guid-reuse")
    assert app.states()["p1"][2] == {"name": "Ann"}


def test_rejected_events_are_quarantined_and_a_retry_that_succeeds_clears_them():
    app = make_app()
    orphan = wire_event("add-member", "h1", {"members": [{"guid": "p1"}]}, timestamp=at(5))
    assert app.push("t1", ADMIN, [orphan]).rejected == 1
    with app.db() as uow:
        [kept] = uow.quarantine.list("t1", 10, 0)
    assert (kept.guid, kept.code, kept.raw, kept.pushed_by) == (
        orphan["guid"],
        "entity-not-found",
        orphan,
        "1",
    )
    app.push("t1", ADMIN, [wire_event("create-group", "h1", {"name": "H"}, timestamp=at(1))])
    assert app.push("t1", ADMIN, [orphan]).applied == 1
    with app.db() as uow:
        assert uow.quarantine.count("t1") == 0
    assert app.states()["h1"][4] == ("p1",)


def test_rejected_events_are_never_served_on_pull():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", "p1", {"name": "A"}, guid="ok"),
            wire_event("explode", "p1", {"x": 1}, guid="bad"),
        ],
    )
    assert app.feed() == ["ok"]


def test_tenant_access_is_checked():
    app = make_app("t1", "t2")
    user_of_t1 = Principal(user_id="5", email="u@x", role="USER", tenants=("t1",))
    event = wire_event("create-individual", "p1", {"name": "A"})
    assert app.push("t1", user_of_t1, [event]).applied == 1
    with pytest.raises(Forbidden):
        app.push("t2", user_of_t1, [event])
    with pytest.raises(NotFound):
        app.push("nope", ADMIN, [event])


def test_batches_over_a_thousand_are_refused_whole():
    app = make_app()
    with pytest.raises(InvalidEvent) as caught:
        app.push("t1", ADMIN, [None] * 1001)
    assert caught.value.code == "batch-too-large"


def test_a_late_event_re_folds_and_lands_in_time_order():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", "p1", {"name": "Ann", "age": 1}, timestamp=at(0)),
            wire_event("update-individual", "p1", {"age": 3}, timestamp=at(30)),
        ],
    )
    late = wire_event("update-individual", "p1", {"age": 2, "village": "X"}, timestamp=at(10))
    assert app.push("t1", ADMIN, [late]).applied == 1
    _, _, data, version, *_ = app.states()["p1"]
    assert data == {"name": "Ann", "age": 3, "village": "X"}  # 30 beats 10 for age
    assert version == 3


def test_concurrent_offline_edits_converge_and_leave_one_conflict_each_way():
    results = []
    for order in ((0, 1), (1, 0)):
        app = make_app()
        app.push(
            "t1",
            ADMIN,
            [
                wire_event(
                    "create-individual", "p1", {"name": "Ann"}, timestamp=at(0), guid="create"
                )
            ],
        )
        edits = [
            wire_event(
                "update-individual",
                "p1",
                {"name": "Anna"},
                timestamp=at(10),
                guid="edit-a",
                user_id="alice",
            ),
            wire_event(
                "update-individual",
                "p1",
                {"name": "Anne"},
                timestamp=at(11),
                guid="edit-b",
                user_id="bob",
            ),
        ]
        app.clock.advance(timedelta(days=1))  # both devices were offline when editing
        for index in order:
            app.push("t1", ADMIN, [edits[index]])
        with app.db() as uow:
            conflicts = uow.conflicts.list("t1", None, 10, 0)
        results.append(
            (
                app.states()["p1"][:4],
                [(c.field, c.winner_event_guid, c.loser_event_guid) for c in conflicts],
            )
        )
    assert results[0] == results[1]
    assert results[0][0][1] == "Anne"
    assert results[0][1] == [("name", "edit-b", "edit-a")]


def test_deleting_a_group_removes_pending_duplicate_pairs_of_its_members():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", "p1", {"name": "John Smith", "dob": "1990-01-02"}),
            wire_event(
                "create-group",
                "h1",
                {"members": [{"guid": "p2", "name": "JOHN  SMITH", "dob": "1990-01-02"}]},
            ),
        ],
    )
    with app.db() as uow:
        assert uow.duplicates.count("t1", "pending") == 1
    app.push("t1", ADMIN, [wire_event("delete-entity", "h1", {"reason": "moved"})])
    with app.db() as uow:
        assert uow.duplicates.count("t1", "pending") == 0


def test_resolving_as_keep_both_is_never_re_flagged():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", "a", {"name": "John Smith", "dob": "1990-01-02"}),
            wire_event("create-individual", "b", {"name": "john smith", "dob": "1990-01-02"}),
        ],
    )
    app.push(
        "t1",
        ADMIN,
        [
            wire_event(
                "resolve-duplicate",
                "b",
                {"duplicates": [{"entityGuid": "b", "duplicateGuid": "a"}], "shouldDelete": False},
            )
        ],
    )
    app.push("t1", ADMIN, [wire_event("update-individual", "a", {"village": "Y"})])
    with app.db() as uow:
        assert uow.duplicates.count("t1", "pending") == 0
        assert uow.duplicates.count("t1", "kept-both") == 1


def test_every_applied_event_writes_audit_entries():
    app = make_app()
    event = wire_event("create-group", "h1", {"name": "H", "members": [{"guid": "p1"}]})
    app.push("t1", ADMIN, [event])
    with app.db() as uow:
        entries = uow.audit.since("t1", None, 10)
    assert {(e.entity_guid, e.action, e.event_guid) for e in entries} == {
        ("h1", "create", event["guid"]),
        ("p1", "create", event["guid"]),
        ("h1", "add-member", event["guid"]),
    }


def test_a_thousand_people_sharing_a_birth_date_stay_cheap_and_bounded():
    """Regression: a birth date alone used to be a match key, making detection quadratic.
    (Its cost is measured in bench/duplicates.py; here we check the bounds.)"""
    app = make_app()

    def name(i: int) -> str:  # distinct pseudo-random 2-token names, not near-duplicates
        digest = hashlib.sha256(str(i).encode()).digest()
        return (
            "".join(chr(97 + b % 26) for b in digest[:7])
            + " "
            + "".join(chr(97 + b % 26) for b in digest[7:14])
        )

    names = [name(i) for i in range(1000)]
    batch = [
        wire_event("create-individual", f"p{i}", {"name": n, "dob": "1990-01-02"})
        for i, n in enumerate(names)
    ]
    assert app.push("t1", ADMIN, batch).applied == 1000
    with app.db() as uow:
        assert uow.duplicates.count("t1", None) == 0  # distinct names: nobody flagged
    same = [
        wire_event("create-individual", f"s{i}", {"name": "John Smith", "dob": "1990-01-02"})
        for i in range(300)
    ]
    app.push("t1", ADMIN, same)
    with app.db() as uow:
        pending = uow.duplicates.list("t1", "pending", 100_000, 0)
    per_entity: dict[str, int] = {}
    for pair in pending:
        per_entity[pair.entity_guid] = per_entity.get(pair.entity_guid, 0) + 1
    assert pending
    assert max(per_entity.values()) <= 20
