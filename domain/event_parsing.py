"""Turn one wire event (a JSON object) into an ``Event``, or say precisely why not.

Parsing lives in the domain, not in the HTTP adapter, because a bad event must become a
per-event ``rejected`` result with a stable code - it must never fail the whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidEvent
from domain.events import SYNCED, Event
from domain.json_values import find_flaw, unstorable_text
from domain.timestamps import INVALID, read_instant

MAX_ID_LENGTH = 200


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    if key not in raw or raw[key] is None:
        raise InvalidEvent(f"'{key}' is required", code="missing-field", pointer=f"/{key}")
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(
            f"'{key}' must be a non-empty string", code="invalid-field", pointer=f"/{key}"
        )
    if len(value) > MAX_ID_LENGTH:
        raise InvalidEvent(
            f"'{key}' is longer than {MAX_ID_LENGTH} characters",
            code="invalid-field",
            pointer=f"/{key}",
        )
    return value


def event_guid_of(raw: object) -> str | None:
    """The guid of a raw event when it has a usable one (for reporting a rejection)."""
    if isinstance(raw, Mapping):
        guid = raw.get("guid")
        if isinstance(guid, str) and guid and not unstorable_text(guid):
            return guid[:MAX_ID_LENGTH]
    return None


def parse_event(raw: object) -> Event:
    if not isinstance(raw, Mapping):
        raise InvalidEvent("each event must be a JSON object", code="invalid-event")
    flaw = find_flaw(raw)
    if flaw is not None:
        raise InvalidEvent(flaw.detail, code=flaw.code, pointer=flaw.pointer or "/")
    guid = _required_text(raw, "guid")
    entity_guid = _required_text(raw, "entityGuid")
    event_type = _required_text(raw, "type")
    if "data" not in raw or raw["data"] is None:
        raise InvalidEvent("'data' is required", code="missing-field", pointer="/data")
    data = raw["data"]
    if not isinstance(data, Mapping) or not data:
        raise InvalidEvent(
            "'data' must be an object with at least one key", code="invalid-field", pointer="/data"
        )
    if "timestamp" not in raw or raw["timestamp"] is None:
        raise InvalidEvent("'timestamp' is required", code="missing-field", pointer="/timestamp")
    timestamp, problem = read_instant(raw["timestamp"])
    if timestamp is None:
        raise InvalidEvent(
            "'timestamp' must be an RFC 3339 date-time with 'Z' or an offset"
            if problem == INVALID
            else "'timestamp' must fall in the years 0001-9999 once converted to UTC",
            code=problem or INVALID,
            pointer="/timestamp",
        )
    user_id = raw.get("userId")
    if user_id is None:
        raise InvalidEvent("'userId' is required", code="missing-field", pointer="/userId")
    if isinstance(user_id, bool) or not isinstance(user_id, str | int):
        raise InvalidEvent("'userId' must be a string", code="invalid-field", pointer="/userId")
    return Event(
        guid=guid,
        entity_guid=entity_guid,
        type=event_type,
        data=dict(data),
        timestamp=timestamp,
        user_id=str(user_id),
        sync_level=SYNCED,
    )
