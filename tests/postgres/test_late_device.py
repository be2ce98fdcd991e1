"""A device that was offline pushes events with old timestamps after a reader has caught up:
the reader still gets them, by cursor and by the legacy ``since`` timestamp (docs/protocol.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.timestamps import format_instant
from tests.conftest import ADMIN
from tests.postgres.conftest import wire
from tests.support.clock import SteppingClock
from tests.support.events import BASE, iso, wire_event

pytestmark = pytest.mark.postgres


def _page_all(app, since, limit=7):
    """Every page until ``nextCursor`` is null, as the legacy client loops."""
    events, cursor = [], since
    while True:
        page = app.pull("t1", ADMIN, cursor, limit)
        events += page.events
        if page.next_cursor is None:
            return events, page.checkpoint
        cursor = page.next_cursor


def _push_on_time(app, clock: SteppingClock, numbers: range) -> None:
    """One push every 5 minutes by devices whose clocks agree with the server's."""
    for i in numbers:
        instant = BASE + timedelta(minutes=5 * i)
        clock.current = instant
        event = wire_event(
            "create-individual",
            f"p{i}",
            {"name": f"Person {i}"},
            timestamp=iso(instant),
            guid=f"on-time-{i:02d}",
        )
        app.push("t1", ADMIN, [event])


def _late(n: int) -> list[dict]:
    # Created two days ago on a device that was offline until now.
    return [
        wire_event(
            "create-individual",
            f"late-p{i}",
            {"name": f"Late {i}"},
            timestamp=iso(BASE - timedelta(days=2, minutes=i)),
            guid=f"late-{i}",
        )
        for i in range(n)
    ]


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(start=BASE, step=timedelta(milliseconds=1))


@pytest.fixture
def app(pg, clock):
    return wire(pg, clock, "t1")


def test_late_events_reach_a_reader_that_resumes_by_cursor(app, clock):
    _push_on_time(app, clock, range(20))
    seen, checkpoint = _page_all(app, None)
    assert len(seen) == 20
    app.push("t1", ADMIN, _late(5))
    resumed, _ = _page_all(app, checkpoint)
    assert [e.guid for e in resumed] == [f"late-{i}" for i in range(5)]  # exactly once


def test_late_events_reach_a_legacy_reader_resuming_from_its_last_timestamp(app, clock):
    _push_on_time(app, clock, range(20))
    seen, _ = _page_all(app, None)
    last_timestamp = format_instant(max(e.timestamp for e in seen))
    app.push("t1", ADMIN, _late(5))
    _push_on_time(app, clock, range(20, 25))
    resumed, _ = _page_all(app, last_timestamp)
    guids = [e.guid for e in resumed]
    assert {f"late-{i}" for i in range(5)} <= set(guids)
    assert {f"on-time-{i}" for i in range(20, 25)} <= set(guids)
    # Exact match: it restarts at the event carrying that timestamp, re-sending only that one.
    assert guids[0] == "on-time-19" and len(guids) == 11


def test_a_legacy_timestamp_matching_no_event_falls_back_to_receipt_time(app, clock):
    _push_on_time(app, clock, range(20))
    seen, _ = _page_all(app, None)
    # A timestamp the server never stored (e.g. from the client's own clock), just after.
    since = format_instant(max(e.timestamp for e in seen) + timedelta(milliseconds=1))
    app.push("t1", ADMIN, _late(5))
    resumed, _ = _page_all(app, since)
    guids = [e.guid for e in resumed]
    # The 10-minute skew window re-sends the on-time events received within it (17 is right
    # on its edge), then the late ones: a few duplicates for the client to skip, never a miss.
    assert guids == ["on-time-17", "on-time-18", "on-time-19"] + [f"late-{i}" for i in range(5)]
