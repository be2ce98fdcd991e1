"""What the built-in adapters send: an event and an entity as JSON documents."""

from __future__ import annotations

from typing import Any

from domain.entities import Entity
from domain.events import Event
from domain.timestamps import format_instant
from ports.external import PushItem


def event_document(event: Event) -> dict[str, Any]:
    """The event in the DataCollect wire shape (what devices send and receive)."""
    return {
        "guid": event.guid,
        "entityGuid": event.entity_guid,
        "type": event.type,
        "data": dict(event.data),
        "timestamp": format_instant(event.timestamp),
        "userId": event.user_id,
        "syncLevel": event.sync_level,
    }


def entity_document(entity: Entity | None) -> dict[str, Any] | None:
    if entity is None:
        return None
    return {
        "guid": entity.guid,
        "type": entity.type,
        "name": entity.display_name,
        "data": dict(entity.data),
        "version": entity.version,
        "lastUpdated": format_instant(entity.last_updated),
        "memberIds": list(entity.member_ids),
        "deleted": entity.deleted,
    }


def delivery_document(item: PushItem) -> dict[str, Any]:
    """One change for a webhook: enough for the receiver to dedupe (``idempotencyKey``)."""
    return {
        "idempotencyKey": item.key,
        "op": item.op,
        "eventGuid": item.event.guid,
        "entityGuid": item.event.entity_guid,
        "externalId": item.external_id,
        "event": event_document(item.event),
        "entity": entity_document(item.entity),
    }
