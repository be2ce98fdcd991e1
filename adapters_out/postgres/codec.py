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


def provenance_doc(provenance: Mapping[str, FieldWrite]) -> dict[str, list[str | None]]:
    """Compact form ``{field: [event_guid, user_id, timestamp, received_at]}``: one is stored per
    data field of every entity, so the keys are not repeated."""
    return {
        field: [
            w.event_guid,
            w.user_id,
            utc(w.timestamp).isoformat(),
            None if w.received_at is None else utc(w.received_at).isoformat(),
        ]
        for field, w in provenance.items()
    }


def provenance_from(doc: Mapping[str, list[Any]]) -> dict[str, FieldWrite]:
    return {
        field: FieldWrite(
            event_guid=event_guid,
            user_id=user_id,
            timestamp=datetime.fromisoformat(timestamp),
            received_at=_instant(received_at),
        )
        for field, (event_guid, user_id, timestamp, received_at) in doc.items()
    }
