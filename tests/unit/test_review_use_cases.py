"""Review use cases on the in-memory database: server events, conflict edge cases, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.review_conflicts import ListConflicts, ResolveConflict
from application.review_quarantine import RetryRejected
from application.server_events import IssueServerEvent
from domain.errors import ValidationFailed
from domain.timestamps import parse_instant
from ports.repositories import RejectedEvent
from tests.support.app import ADMIN, make_app
from tests.support.clock import CountingIds
from tests.support.events import at, wire_event


def test_a_server_event_never_sorts_before_the_state_it_decided_on() -> None:
    app = make_app()
    issue = IssueServerEvent(app.push, app.clock, CountingIds("srv"))
    ahead = app.clock.current + timedelta(days=2)  # a device clock running ahead
    result = issue("t1", ADMIN, "create-individual", "p", {"name": "x"}, not_before=ahead)
    with app.db() as uow:
        stored = uow.events.get_many("t1", [result.guid])[result.guid]
    assert stored.timestamp == ahead + timedelta(milliseconds=1)
    later = issue("t1", ADMIN, "update-individual", "p", {"name": "y"})
    with app.db() as uow:
        assert uow.events.get_many("t1", [later.guid])[later.guid].timestamp < ahead


def test_a_rejected_server_event_is_a_validation_failure() -> None:
    app = make_app()
    issue = IssueServerEvent(app.push, app.clock, CountingIds("srv"))
    with pytest.raises(ValidationFailed) as caught:
        issue("t1", ADMIN, "add-member", "no-group", {"members": [{"guid": "m"}]})
    assert caught.value.problems[0][1] == "entity-not-found"


def test_apply_other_needs_a_field_conflict_on_a_live_entity() -> None:
    app = make_app()
    push = lambda *events: app.push("t1", ADMIN, list(events))  # noqa: E731
    push(wire_event("create-individual", "p", {"name": "a"}, timestamp=at(1), guid="c"))
    push(wire_event("delete-entity", "p", {"reason": "x"}, timestamp=at(2), guid="d"))
    push(wire_event("update-individual", "p", {"name": "b"}, timestamp=at(3), guid="u"))
    conflict = ListConflicts(app.db)(ADMIN, "t1")[0]
    assert conflict.kind == "update-after-delete"
    resolve = ResolveConflict(
        app.db, IssueServerEvent(app.push, app.clock, CountingIds()), app.clock
    )
    with pytest.raises(ValidationFailed):
        resolve(ADMIN, "t1", conflict.id, "apply-other")
    done = resolve(ADMIN, "t1", conflict.id, "keep")
    assert done.conflict.status == "resolved" and done.event_guid is None


def test_retrying_an_event_stored_meanwhile_clears_it_from_quarantine() -> None:
    app = make_app()
    event = wire_event("create-individual", "p", {"name": "a"}, timestamp=at(1), guid="g")
    app.push("t1", ADMIN, [event])
    with app.db() as uow:
        uow.quarantine.put(
            "t1",
            RejectedEvent(
                guid="g",
                raw=event,
                code="x",
                message="x",
                received_at=parse_instant(at(1)),
                pushed_by="2",
            ),
        )
        uow.commit()
    result = RetryRejected(app.db, app.push)(ADMIN, "t1", "g")
    assert result.status == "duplicate"
    with app.db() as uow:
        assert uow.quarantine.count("t1") == 0
