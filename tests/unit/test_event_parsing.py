"""Wire events in: strict fields, stable rejection codes, unknown fields ignored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidEvent
from domain.event_parsing import event_guid_of, parse_event
from domain.json_values import storable_copy
from domain.timestamps import format_instant, parse_instant


def _raw(**overrides):
    raw = {
        "id": 12,
        "guid": "g1",
        "entityGuid": "e1",
        "type": "create-individual",
        "data": {"name": "Ann"},
        "timestamp": "2025-01-01T10:00:00.123Z",
        "userId": "u1",
        "syncLevel": 0,
        "extra": {"ignored": True},
    }
    raw.update(overrides)
    return {k: v for k, v in raw.items() if v is not ...}


def test_a_client_event_parses_and_extra_fields_are_ignored():
    event = parse_event(_raw())
    assert (event.guid, event.entity_guid, event.type, dict(event.data), event.user_id) == (
        "g1",
        "e1",
        "create-individual",
        {"name": "Ann"},
        "u1",
    )
    assert event.timestamp == datetime(2025, 1, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert event.sync_level == 1  # stored as synced, whatever the device says


@pytest.mark.parametrize(
    ("overrides", "code", "pointer"),
    [
        ({"guid": ...}, "missing-field", "/guid"),
        ({"guid": ""}, "invalid-field", "/guid"),
        ({"guid": 5}, "invalid-field", "/guid"),
        ({"guid": "x" * 201}, "invalid-field", "/guid"),
        ({"entityGuid": ...}, "missing-field", "/entityGuid"),
        ({"type": None}, "missing-field", "/type"),
        ({"data": ...}, "missing-field", "/data"),
        ({"data": {}}, "invalid-field", "/data"),
        ({"data": [1]}, "invalid-field", "/data"),
        ({"timestamp": ...}, "missing-field", "/timestamp"),
        ({"timestamp": "yesterday"}, "invalid-timestamp", "/timestamp"),
        ({"timestamp": "2025-01-01"}, "invalid-timestamp", "/timestamp"),
        ({"timestamp": "2025-01-01T10:00:00"}, "invalid-timestamp", "/timestamp"),
        ({"timestamp": 1735725600}, "invalid-timestamp", "/timestamp"),
        ({"userId": ...}, "missing-field", "/userId"),
        ({"userId": True}, "invalid-field", "/userId"),
    ],
)
def test_each_broken_field_has_its_own_code(overrides, code, pointer):
    with pytest.raises(InvalidEvent) as caught:
        parse_event(_raw(**overrides))
    assert (caught.value.code, caught.value.pointer) == (code, pointer)


@pytest.mark.parametrize("raw", [None, 3, "event", [1, 2]])
def test_non_objects_are_invalid_events(raw):
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw)
    assert caught.value.code == "invalid-event"
    assert event_guid_of(raw) is None


def test_numeric_user_ids_are_kept_as_text():
    assert parse_event(_raw(userId=42)).user_id == "42"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-01T10:00:00Z", "2025-01-01T10:00:00.000Z"),
        ("2025-01-01T10:00:00.5Z", "2025-01-01T10:00:00.500Z"),
        ("2025-01-01T12:00:00.123456789+02:00", "2025-01-01T10:00:00.123Z"),
        ("2025-01-01t10:00:00.999z", "2025-01-01T10:00:00.999Z"),
    ],
)
def test_timestamps_are_normalised_to_utc_milliseconds(text, expected):
    instant = parse_instant(text)
    assert instant is not None
    assert format_instant(instant) == expected


@pytest.mark.parametrize("text", ["", "2025-13-01T10:00:00Z", "2025-01-01 10:00:00Z", "now"])
def test_non_rfc3339_timestamps_are_refused(text):
    assert parse_instant(text) is None


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"data": {"name": "a\x00b"}}, "/data/name"),
        ({"data": {"list": ["ok", "\ud800"]}}, "/data/list/1"),
        ({"entityGuid": "e\x00"}, "/entityGuid"),
    ],
)
def test_text_that_storage_would_refuse_is_rejected_per_event(overrides, pointer):
    with pytest.raises(InvalidEvent) as caught:
        parse_event(_raw(**overrides))
    assert (caught.value.code, caught.value.pointer) == ("invalid-text", pointer)


def test_a_storable_copy_keeps_the_evidence():
    raw = {"guid": "g\x00", "data": {"k\ud800": ["x\x00"]}, "n": 1}
    assert storable_copy(raw) == {"guid": "g\ufffd", "data": {"k?": ["x\ufffd"]}, "n": 1}
