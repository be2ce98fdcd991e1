"""Turn one wire event (a JSON object) into an ``Event``, or say precisely why not.

Parsing lives in the domain, not in the HTTP adapter, because a bad event must become a
per-event ``rejected`` result with a stable code - it must never fail the whole batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidEvent
from domain.events import SYNCED, Event
from domain.timestamps import parse_instant

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


def _unstorable(text: str) -> bool:
    """NUL and lone surrogates (from "\\ud800" escapes) cannot be stored as UTF-8 text."""
    if "\x00" in text:
        return True
    if text.isascii():  # O(1) in CPython, and true for nearly every field: no encode needed
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _may_hold_unstorable(raw: Mapping[str, Any]) -> bool:
    """Cheap screen (C-speed): ``json.dumps`` escapes NUL as \\u0000 and every surrogate as
    \\udXXX, so an event whose dump has neither is clean. Emoji (valid surrogate pairs in the
    dump) and a literal backslash-u typed by a user only cost the precise walk."""
    try:
        text = json.dumps(raw)
    except (TypeError, ValueError):
        return True
    return "\\u0000" in text or "\\ud" in text


def _find_unstorable(value: object, pointer: str) -> str | None:
    """JSON pointer of the first string (key or value) that storage would refuse."""
    stack = [(value, pointer)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, str):
            if _unstorable(current):
                return path
        elif isinstance(current, Mapping):
            for key, item in current.items():
                if isinstance(key, str) and _unstorable(key):
                    return path
                stack.append((item, f"{path}/{key}"))
        elif isinstance(current, list):
            stack.extend((item, f"{path}/{i}") for i, item in enumerate(current))
    return None


def storable_copy(value: Any) -> Any:
    """The same JSON value with unstorable characters replaced, to quarantine it as evidence."""
    if isinstance(value, str):
        if not _unstorable(value):
            return value
        cleaned = value.replace("\x00", "\ufffd")
        return cleaned.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, Mapping):
        return {storable_copy(str(k)): storable_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_copy(item) for item in value]
    return value


def event_guid_of(raw: object) -> str | None:
    """The guid of a raw event when it has a usable one (for reporting a rejection)."""
    if isinstance(raw, Mapping):
        guid = raw.get("guid")
        if isinstance(guid, str) and guid and not _unstorable(guid):
            return guid[:MAX_ID_LENGTH]
    return None


def parse_event(raw: object) -> Event:
    if not isinstance(raw, Mapping):
        raise InvalidEvent("each event must be a JSON object", code="invalid-event")
    bad_text = _find_unstorable(raw, "") if _may_hold_unstorable(raw) else None
    if bad_text is not None:
        raise InvalidEvent(
            "text must be valid Unicode without NUL characters",
            code="invalid-text",
            pointer=bad_text or "/",
        )
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
    timestamp = parse_instant(raw["timestamp"])
    if timestamp is None:
        raise InvalidEvent(
            "'timestamp' must be an RFC 3339 date-time with 'Z' or an offset",
            code="invalid-timestamp",
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
