"""The pull use case: commit order, cursors, the legacy timestamp path."""

from __future__ import annotations

import pytest

from application.pull import PullEvents
from domain.cursor import MAX_POSITION, CursorCodec, InvalidCursor
from domain.timestamps import format_instant
from tests.support.app import ADMIN, make_app
from tests.support.cursors import CURSORS
from tests.support.events import at, wire_event


def _page_all(app, since, limit, tenant="t1"):
    seen, cursor = [], since
    while True:
        page = app.pull(tenant, ADMIN, cursor, limit)
        seen.extend(e.guid for e in page.events)
        if page.next_cursor is None:
            return seen, page
        cursor = page.next_cursor


def test_feed_is_in_commit_order_not_device_time():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [wire_event("create-individual", "a", {"n": 1}, timestamp=at(50), guid="first")],
    )
    app.push(
        "t1",
        ADMIN,
        [wire_event("create-individual", "b", {"n": 1}, timestamp=at(1), guid="second")],
    )
    assert app.feed() == ["first", "second"]


def test_paging_by_cursor_is_exactly_once_and_ends_with_null():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", f"p{i}", {"n": i}, guid=f"g{i:02d}", timestamp=at(0))
            for i in range(25)
        ],
    )
    seen, last = _page_all(app, None, 10)
    assert seen == [f"g{i:02d}" for i in range(25)]
    assert last.next_cursor is None
    assert CURSORS.decode("t1", last.checkpoint) == 25
    assert app.pull("t1", ADMIN, last.checkpoint, 10).events == ()


def test_an_exact_page_boundary_still_has_a_null_cursor_at_the_end():
    app = make_app()
    app.push("t1", ADMIN, [wire_event("create-individual", f"p{i}", {"n": i}) for i in range(10)])
    page = app.pull("t1", ADMIN, None, 10)
    assert len(page.events) == 10
    assert page.next_cursor is None


def test_cursors_are_url_safe_letters_first_and_bound_to_their_tenant():
    token = CURSORS.encode("t1", 12345)
    assert token[0].isalpha()
    assert set(token) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    assert CURSORS.decode("t1", token) == 12345
    app = make_app("t1", "t2")
    with pytest.raises(InvalidCursor):
        app.pull("t2", ADMIN, token, 10)
    for garbage in ("c1_zz", "cafe", "c1_1_0000000000", "c2_1_" + "0" * 32, "x" * 300):
        with pytest.raises(InvalidCursor):
            app.pull("t1", ADMIN, garbage, 10)
    with pytest.raises(InvalidCursor):
        app.pull("t1", ADMIN, "2025-13-45", 10)


def test_cursors_are_keyed_so_they_cannot_be_forged_or_carried_to_another_server():
    app = make_app()
    app.push("t1", ADMIN, [wire_event("create-individual", "p1", {"n": 1})])
    other_server = CursorCodec.from_secret("another server's secret")
    with pytest.raises(InvalidCursor):
        app.pull("t1", ADMIN, other_server.encode("t1", 0), 10)
    # The old unkeyed form (sha256 of tenant and position, anyone can compute it) is refused.
    import hashlib

    check = hashlib.sha256(b"t1\x1f0").hexdigest()[:10]
    with pytest.raises(InvalidCursor):
        app.pull("t1", ADMIN, f"c1_0_{check}", 10)
    assert app.pull("t1", ADMIN, CURSORS.encode("t1", 0), 10).events != ()


@pytest.mark.parametrize("position", [MAX_POSITION + 1, 36**13 - 1])
def test_a_position_beyond_any_store_is_refused_even_when_signed(position: int) -> None:
    body = "c2_" + CodecProbe.base36(position)
    codec = CURSORS
    token = f"{body}_{codec.tag('feed', 't1', str(position))}"
    with pytest.raises(InvalidCursor):
        make_app().pull("t1", ADMIN, token, 10)
    assert make_app().pull("t1", ADMIN, CURSORS.encode("t1", MAX_POSITION), 10).events == ()


class CodecProbe:
    @staticmethod
    def base36(number: int) -> str:
        digits, out = "0123456789abcdefghijklmnopqrstuvwxyz", ""
        while True:
            number, rest = divmod(number, 36)
            out = digits[rest] + out
            if number == 0:
                return out


def test_legacy_since_delivers_events_pushed_late_by_an_offline_device():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", f"p{i}", {"n": i}, guid=f"a{i}", timestamp=at(10 + i))
            for i in range(5)
        ],
    )
    _, page = _page_all(app, "", 100)
    # The legacy client resumes from the largest device timestamp it received.
    since = format_instant(max(e.timestamp for e in page.events))
    app.push(
        "t1",
        ADMIN,
        [wire_event("create-individual", "old", {"n": 0}, guid="late", timestamp=at(0))],
    )
    again, _ = _page_all(app, since, 100)
    assert "late" in again
    assert "a0" not in again  # it resumes near where it stopped, not from the start


def test_legacy_since_never_skips_events_sharing_the_boundary_timestamp():
    app = make_app()
    app.push(
        "t1",
        ADMIN,
        [
            wire_event("create-individual", f"p{i}", {"n": i}, guid=f"g{i:02d}", timestamp=at(7))
            for i in range(25)
        ],
    )
    received, since = [], ""
    while True:  # exactly the upstream client's loop, with pages of 10
        page = app.pull("t1", ADMIN, since, 10)
        received.extend(e.guid for e in page.events)
        if page.next_cursor is None:
            break
        since = page.next_cursor
    assert sorted(set(received)) == [f"g{i:02d}" for i in range(25)]
    # The next sync starts from the last timestamp: it re-sends, never misses.
    page = app.pull("t1", ADMIN, format_instant(page.events[-1].timestamp), 100)
    assert len(page.events) == 25


def test_limit_is_clamped():
    app = make_app()
    app.push("t1", ADMIN, [wire_event("create-individual", f"p{i}", {"n": i}) for i in range(3)])
    assert len(app.pull("t1", ADMIN, None, 0).events) == 1
    assert len(app.pull("t1", ADMIN, None, 10_000).events) == 3


def test_pages_are_bounded_by_bytes_and_paging_still_reaches_every_event():
    app = make_app()
    big = {"text": "y" * 5000}
    app.push(
        "t1",
        ADMIN,
        [wire_event("create-individual", f"p{i}", big, guid=f"g{i:02d}") for i in range(7)],
    )
    bounded = PullEvents(app.db, CURSORS, max_page_bytes=12_000)
    sizes, cursor, seen = [], None, []
    while True:
        page = bounded("t1", ADMIN, cursor, 100)
        sizes.append(len(page.events))
        seen.extend(e.guid for e in page.events)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sizes == [2, 2, 2, 1]
    assert seen == [f"g{i:02d}" for i in range(7)]
    tiny = PullEvents(app.db, CURSORS, max_page_bytes=1024)("t1", ADMIN, None, 100)
    assert [e.guid for e in tiny.events] == ["g00"]  # never an empty page while events remain
    assert tiny.next_cursor is not None
