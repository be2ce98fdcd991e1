"""The wire shape of an event and of a per-event push result (what the DataCollect client
reads), shared by every route that returns them."""

from __future__ import annotations

from typing import Any

from application.push import EventResult
from domain.events import Event
from domain.timestamps import format_instant


def render_event(event: Event) -> dict[str, Any]:
    return {
        "guid": event.guid,
        "entityGuid": event.entity_guid,
        "type": event.type,
        "data": event.data,
        "timestamp": format_instant(event.timestamp),
        "userId": event.user_id,
        "syncLevel": event.sync_level,
    }


def render_result(result: EventResult) -> dict[str, Any]:
    out: dict[str, Any] = {"guid": result.guid, "status": result.status}
    if result.code is not None:
        out["code"] = result.code
    if result.message is not None:
        out["message"] = result.message
    return out
