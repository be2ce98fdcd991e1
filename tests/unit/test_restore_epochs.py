"""Cursors after a restore from backup (domain.cursor, application.restore): a device never
skips an event, whatever position its cursor held when the backup was taken."""

from __future__ import annotations

import pytest

from adapters_out.memory.uow import MemoryDatabase
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from application.restore import MarkRestored
from domain.cursor import InvalidCursor
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from tests.support.app import ADMIN, make_app
from tests.support.clock import CountingIds
from tests.support.cursors import CURSORS
from tests.support.events import wire_event


def test_epoch_zero_is_the_format_without_an_epoch():
    assert CURSORS.encode("t1", 12345) == CURSORS.encode("t1", 12345, 0)
    assert CURSORS.decode("t1", CURSORS.encode("t1", 12345)) == 12345
    assert CURSORS.decode("t1", CURSORS.encode("t1", 12345), []) == 12345


def test_cursors_of_earlier_epochs_are_clamped_to_every_later_restored_head():
    before_first = CURSORS.encode("t1", 120, 0)
    assert CURSORS.decode("t1", before_first, [100]) == 100  # beyond the restored head
    assert CURSORS.decode("t1", CURSORS.encode("t1", 80, 0), [100]) == 80  # within it: as is
    assert CURSORS.decode("t1", CURSORS.encode("t1", 150, 1), [100]) == 150  # current epoch
    # Two restores: the second restored an older backup (head 90).
    assert CURSORS.decode("t1", before_first, [100, 90]) == 90
    assert CURSORS.decode("t1", CURSORS.encode("t1", 95, 1), [100, 90]) == 90
    assert CURSORS.decode("t1", CURSORS.encode("t1", 95, 2), [100, 90]) == 95


def test_cursors_from_an_unknown_epoch_or_another_tenant_are_refused():
    with pytest.raises(InvalidCursor):
        CURSORS.decode("t1", CURSORS.encode("t1", 5, 2), [100])  # no second restore here
    with pytest.raises(InvalidCursor):
        CURSORS.decode("t2", CURSORS.encode("t1", 5, 1), [100])


def _people(prefix: str, count: int) -> list[dict]:
    return [
        wire_event("create-individual", f"{prefix}{i}", {"n": i}, guid=f"{prefix}-{i}")
        for i in range(count)
    ]


def _restored(source: MemoryDatabase) -> tuple[MemoryDatabase, PullEvents]:
    copy = MemoryDatabase()
    copy.state = source.state.clone()
    return copy, PullEvents(copy, CURSORS)


@pytest.mark.parametrize("mark", [True, False])
def test_a_device_ahead_of_the_backup_gets_every_event_pushed_after_the_restore(mark: bool):
    app = make_app()
    app.push("t1", ADMIN, _people("a", 5))
    snapshot = MemoryDatabase()
    snapshot.state = app.db.state.clone()  # the backup: 5 events
    app.push("t1", ADMIN, _people("b", 5))  # lost with the old database
    ahead = app.pull("t1", ADMIN, None, 100).checkpoint  # a device at position 10
    behind = app.pull("t1", ADMIN, None, 3).checkpoint  # one at position 3

    db, pull = _restored(snapshot)
    if mark:
        [feed] = MarkRestored(db, app.clock)()
        assert (feed.tenant_id, feed.head, feed.epoch) == ("t1", 5, 1)
    push = PushEvents(
        db, app.clock, CountingIds("r"), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    push("t1", ADMIN, _people("c", 3))  # numbered 6, 7, 8 in the restored feed

    got_ahead = [e.guid for e in pull("t1", ADMIN, ahead, 100).events]
    got_behind = [e.guid for e in pull("t1", ADMIN, behind, 100).events]
    if mark:
        assert got_ahead == ["c-0", "c-1", "c-2"]
        assert got_behind == ["a-3", "a-4", "c-0", "c-1", "c-2"]
        fresh = pull("t1", ADMIN, ahead, 100).checkpoint
        assert CURSORS.decode("t1", fresh, [5]) == 8  # new cursors carry the new epoch
    else:  # what the restore epoch prevents: the device at 10 silently skips 6..8
        assert got_ahead == []
        assert got_behind == ["a-3", "a-4", "c-0", "c-1", "c-2"]
