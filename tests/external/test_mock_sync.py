"""External sync end to end against upstream's mock contract (FakeMock), on SQLite and
PostgreSQL: feed-order delivery, pull into entities, no echo, failures and the deadline."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from adapters_out.external.fakes.servers import FakeMock, Fault
from domain.errors import NotFound, StateConflict
from ports.external import Credentials
from tests.external.conftest import ADMIN_USER, Harness, build, event


def _posted(fake: FakeMock) -> list[str]:
    import json

    return [
        e["guid"]
        for j in fake.journal
        if j["method"] == "POST"
        for e in json.loads(j["body"])["data"]
    ]


def test_late_events_with_old_timestamps_are_delivered_in_feed_order(harness: Harness, fake_mock):
    harness.add_tenant("t1", {"type": "mock-sync-server", "url": fake_mock.url})
    harness.device_push("t1", [event("a", "e1", at="2025-06-01T00:00:00.000Z")])
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed) == ("succeeded", 1)
    # An offline device comes back with events dated long before the last delivery.
    harness.device_push(
        "t1",
        [
            event("old-2", "e2", at="2024-01-02T00:00:00.000Z"),
            event("old-1", "e3", at="2024-01-01T00:00:00.000Z"),
        ],
    )
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed) == ("succeeded", 2)
    assert _posted(fake_mock) == ["a", "old-2", "old-1"]
    assert harness.outbox("t1") == {"done": 3}


def test_pulled_records_become_entities_a_repull_is_a_no_op_and_nothing_echoes(
    harness: Harness, fake_mock
):
    harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
    fake_mock.records = [
        {"id": "r1", "timestamp": "2025-02-01T00:00:00.000Z", "name": "Remote One"},
        {
            "id": "r2",
            "timestamp": "2025-02-02T00:00:00.000Z",
            "name": "Remote Home",
            "type": "group",
        },
    ]
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pulled, run.pushed) == ("succeeded", 2, 0)
    with harness.db(read_only=True) as uow:
        entities = uow.entities.list("t1", _query())
        by_name = {e.display_name: e for e in entities}
        assert set(by_name) == {"Remote One", "Remote Home"}
        assert by_name["Remote Home"].type == "group"
        assert by_name["Remote One"].data["externalId"] == "r1"
        assert uow.external.cursor("t1", "mock", "pull") == "2025-02-02T00:00:00.000Z"
    # The pulled events are in the feed for devices, and never queued back to the mock.
    assert harness.outbox("t1") == {}
    # The same records again (a server that ignores ?since=): no new events.
    fake_mock.records[0]["timestamp"] = "2025-02-01T00:00:00.000Z"
    harness.sync.options  # noqa: B018 - the run reads the stored cursor
    with harness.db() as uow:
        uow.external.set_cursor("t1", "mock", "pull", "", _now())
        uow.commit()
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pulled) == ("succeeded", 0)
    # A change on the remote is an update of the same entity.
    fake_mock.records[0].update(timestamp="2025-03-01T00:00:00.000Z", name="Remote Renamed")
    run = harness.sync(ADMIN_USER, "t1")
    assert run.pulled == 1
    with harness.db(read_only=True) as uow:
        names = sorted(e.display_name for e in uow.entities.list("t1", _query()))
    assert names == ["Remote Home", "Remote Renamed"]
    assert _posted(fake_mock) == []


def test_refused_credentials_stop_the_run_without_a_retry(harness: Harness, fake_mock):
    harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
    harness.device_push("t1", [event("a", "e1"), event("b", "e2")])
    fake_mock.fail(Fault(status=401, times=5))
    run = harness.sync(ADMIN_USER, "t1")
    assert run.status == "failed"
    assert run.errors[0]["kind"] == "auth"
    assert len(fake_mock.journal) == 1
    assert harness.outbox("t1") == {"pending": 2}  # untouched: nothing was delivered


def test_retry_after_is_honoured_within_the_run(harness: Harness, fake_mock):
    harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
    harness.device_push("t1", [event("a", "e1")])
    fake_mock.fail(Fault(status=429, retry_after="1"))
    started = time.monotonic()
    run = harness.sync(ADMIN_USER, "t1")
    assert run.status == "succeeded" and run.pushed == 1
    assert time.monotonic() - started >= 1.0
    posts = [j for j in fake_mock.journal if j["method"] == "POST"]
    assert len(posts) == 2


def test_a_retry_after_beyond_the_deadline_defers_the_rows(tmp_path, fake_mock):
    from tests.contract.conftest import open_backend

    with open_backend("sqlite", tmp_path) as db:
        harness = build(db, deadline_s=2.0)
        harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
        harness.device_push("t1", [event("a", "e1")])
        fake_mock.fail(Fault(status=503, retry_after="120"))
        run = harness.sync(ADMIN_USER, "t1")
        assert run.status == "failed"  # nothing got through
        with db(read_only=True) as uow:
            (row,) = uow.external.outbox("t1", "mock", ("pending",), 10, 0)
        assert row.attempts == 1
        assert (row.next_attempt_at - row.updated_at).total_seconds() >= 119
        # no wait past the deadline, no blind re-send (the pull still ran)
        assert [j["method"] for j in fake_mock.journal] == ["POST", "GET"]


def test_a_hung_remote_ends_the_run_at_its_deadline(tmp_path, fake_mock):
    from tests.contract.conftest import open_backend

    with open_backend("sqlite", tmp_path) as db:
        harness = build(db, deadline_s=1.0)
        harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
        harness.device_push("t1", [event("a", "e1")])
        fake_mock.fail(Fault(sleep_s=4.0))
        started = time.monotonic()
        run = harness.sync(ADMIN_USER, "t1")
        took = time.monotonic() - started
        assert took < 2.5
        assert run.status == "failed" and run.errors[0]["kind"] == "timeout"
        assert harness.outbox("t1") == {"pending": 1}
        # The lease is free again: the next trigger runs (the row waits for its backoff).
        fake_mock.faults.clear()
        again = harness.sync(ADMIN_USER, "t1")
        assert (again.status, again.pushed) == ("succeeded", 0)
        with db(read_only=True) as uow:
            (row,) = uow.external.outbox("t1", "mock", ("pending",), 10, 0)
        assert row.attempts == 1 and row.next_attempt_at is not None


def test_a_dropped_answer_after_the_remote_acted_delivers_each_event_once(
    harness: Harness, fake_mock
):
    harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
    harness.device_push("t1", [event("a", "e1"), event("b", "e2")])
    fake_mock.fail(Fault(drop_after=True))
    first = harness.sync(ADMIN_USER, "t1")
    assert first.pushed == 0 and first.errors
    assert set(fake_mock.received) == {"a", "b"}  # it did act
    # The rows are retried later (at least once); the receiver dedupes on the event guid.
    with harness.db() as uow:
        rows = uow.external.outbox("t1", "mock", ("pending",), 10, 0)
        uow.external.settle(
            "t1", [r.__class__(**{**_fields(r), "next_attempt_at": None}) for r in rows], _now()
        )
        uow.commit()
    second = harness.sync(ADMIN_USER, "t1")
    assert second.pushed == 2
    assert sorted(fake_mock.received) == ["a", "b"]


def test_two_concurrent_triggers_run_once(harness: Harness, fake_mock):
    harness.add_tenant("t1", {"type": "mock", "url": fake_mock.url})
    harness.device_push("t1", [event("a", "e1")])
    fake_mock.fail(Fault(sleep_s=1.0))
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def trigger() -> None:
        start.wait()
        try:
            outcomes.append(harness.sync(ADMIN_USER, "t1"))
        except StateConflict as error:
            outcomes.append(error)

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    busy = [o for o in outcomes if isinstance(o, StateConflict)]
    assert len(busy) == 1 and busy[0].code == "external-sync-running"
    assert _posted(fake_mock) == ["a"]


def test_unknown_config_and_no_external_sync(harness: Harness):
    harness.add_tenant("plain", None)
    with pytest.raises(NotFound):
        harness.sync(ADMIN_USER, "nope")
    with pytest.raises(StateConflict) as caught:
        harness.sync(ADMIN_USER, "plain")
    assert caught.value.code == "external-sync-not-configured"


def test_credentials_and_url_passwords_never_reach_logs_or_runs(
    harness: Harness, fake_mock, caplog
):
    url = fake_mock.url.replace("http://", "http://syncuser:url-pa55word@")
    harness.add_tenant("t1", {"type": "mock", "url": url})
    harness.device_push("t1", [event("a", "e1")])
    fake_mock.fail(Fault(status=503, times=10))
    with caplog.at_level(logging.DEBUG):
        run = harness.sync(
            ADMIN_USER, "t1", Credentials(username="dialog-user", password="dialog-pa55")
        )
    assert run.errors
    text = caplog.text + repr(run) + repr(harness.admin.runs(ADMIN_USER, "t1", 10, 0))
    for secret in ("url-pa55word", "dialog-pa55"):
        assert secret not in text
    # The credentials of the run were sent (as Basic auth), and not the URL's userinfo.
    assert fake_mock.journal[0]["headers"]["authorization"].startswith("Basic ")
    assert "@" not in fake_mock.journal[0]["headers"]["host"]


def _query():
    from ports.records import EntityQuery

    return EntityQuery(limit=100, offset=0)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _fields(row):
    import attrs

    return attrs.asdict(row, recurse=False)
