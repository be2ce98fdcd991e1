"""Value conversions shared by the row mappers: JSON documents and instants."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Jsonb

from domain.entities import FieldWrite

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON. NaN/Infinity raise here: PostgreSQL would refuse them less clearly."""
    return _ENCODER.encode(value)


def jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=dumps)


def jsonb_texts(values: Iterable[Any]) -> list[str]:
    """JSON documents for a ``%b::jsonb[]`` array parameter (one per row of a bulk statement)."""
    return [_ENCODER.encode(v) for v in values]


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _writer_doc(write: FieldWrite) -> list[str | None]:
    received = None if write.received_at is None else utc(write.received_at).isoformat()
    return [write.event_guid, write.user_id, utc(write.timestamp).isoformat(), received]


def provenance_doc(provenance: Mapping[str, FieldWrite]) -> dict[str, Any]:
    """``{"w": [[event_guid, user_id, timestamp, received_at], ...], "f": {field: index}}``.

    One writer entry per event rather than per field: an event usually writes several fields
    of an entity, and every entity row carries its provenance, so this keeps rows small and
    decoding cheap (one ``FieldWrite`` per writing event, shared as the fold shares them)."""
    writers: list[list[str | None]] = []
    index: dict[int, int] = {}  # by identity: the fold gives one object to all of an event's fields
    fields: dict[str, int] = {}
    for field, write in provenance.items():
        position = index.get(id(write))
        if position is None:
            position = index[id(write)] = len(writers)
            writers.append(_writer_doc(write))
        fields[field] = position
    return {"w": writers, "f": fields}


def provenance_from(doc: Mapping[str, Any]) -> dict[str, FieldWrite]:
    writers = [
        FieldWrite(
            event_guid=event_guid,
            user_id=user_id,
            timestamp=datetime.fromisoformat(timestamp),
            received_at=_instant(received_at),
        )
        for event_guid, user_id, timestamp, received_at in doc["w"]
    ]
    return {field: writers[position] for field, position in doc["f"].items()}
