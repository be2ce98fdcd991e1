"""Builders for wire events exactly as the DataCollect client sends them."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

_counter = itertools.count()
BASE = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{instant.microsecond // 1000:03d}Z"
    )


def at(minutes: float) -> str:
    return iso(BASE + timedelta(minutes=minutes))


def wire_event(
    type_: str,
    entity_guid: str,
    data: dict[str, Any],
    *,
    timestamp: str | None = None,
    guid: str | None = None,
    user_id: str = "device-user-1",
) -> dict[str, Any]:
    return {
        "id": next(_counter),  # the client's IndexedDB key: must be ignored
        "guid": guid or str(uuid.uuid4()),
        "entityGuid": entity_guid,
        "type": type_,
        "data": data,
        "timestamp": timestamp or at(next(_counter)),
        "userId": user_id,
        "syncLevel": 0,
    }
