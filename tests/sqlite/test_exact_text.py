"""Text is matched exactly, whatever it contains. Lists were once bound as a JSON array for
json_each(), and SQLite's JSON functions cut strings at an escaped NUL: "a\\x00b" looked like
"a", so claiming it reported a stored event as new. (The domain now refuses NUL in event
fields, but match keys and other lists still reach storage, so the adapter must be exact.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.entities import Entity
from domain.events import Event
from domain.tenants import Tenant
from tests.support.sqlite_backend import sqlite_database

ODD = ["a", "a\x00b", "a\x00", "é", "e\u0301", "x'; DROP TABLE events; --", "😀"]
AT = datetime(2025, 1, 1, tzinfo=UTC)


def _event(guid: str) -> Event:
    return Event(
        guid=guid, entity_guid=f"p-{guid}", type="t", data={"k": 1}, timestamp=AT, user_id="u"
    )


def _entity(guid: str) -> Entity:
    return Entity(guid=guid, type="individual", name="N", data={}, version=1, last_updated=AT)


def test_odd_strings_are_matched_exactly_in_every_list_lookup(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db, db() as uow:
        uow.tenants.add(Tenant(id="t1", name="One", artifact_id="a" * 32))
        for guid in ODD:  # one at a time: each must be new although a prefix is stored
            assert uow.events.claim("t1", [_event(guid)]) == {guid}
            assert uow.events.number("t1", [_event(guid)]) == [ODD.index(guid) + 1]
        assert uow.events.claim("t1", [_event(g) for g in ODD]) == set()
        assert list(uow.events.get_many("t1", ["a\x00b"])) == ["a\x00b"]
        uow.events.record_touches("t1", {g: [f"p-{g}"] for g in ODD})
        assert set(uow.events.touching("t1", ["p-a\x00b"])) == {"a\x00b"}
        assert uow.events.touches_of("t1", ["a\x00"]) == {"a\x00": {"p-a\x00"}}

        uow.entities.save_many("t1", [_entity(g) for g in ODD], {g: [f"k:{g}"] for g in ODD})
        assert list(uow.entities.get_many("t1", ["a\x00"])) == ["a\x00"]
        assert [e.guid for e in uow.entities.find_by_keys("t1", ["k:a\x00b"], 10)] == ["a\x00b"]
        uow.entities.remove_many("t1", ["a\x00b"])
        assert sorted(uow.entities.get_many("t1", ODD)) == sorted(set(ODD) - {"a\x00b"})
