"""Entities: households (groups) and people (individuals), as folded from their events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

EntityType = Literal["group", "individual"]
GROUP: EntityType = "group"
INDIVIDUAL: EntityType = "individual"


@attrs.frozen(kw_only=True)
class FieldWrite:
    """Who last wrote a field: needed to tell concurrent edits from informed ones."""

    event_guid: str
    user_id: str
    timestamp: datetime
    received_at: datetime | None


@attrs.frozen(kw_only=True)
class Entity:
    guid: str
    type: EntityType
    name: str
    data: Mapping[str, Any]
    version: int
    last_updated: datetime
    member_ids: tuple[str, ...] = ()
    deleted: bool = False
    # (timestamp, guid) of the last event folded into this entity. An arriving event that sorts
    # before it forces a re-fold, which is what makes the state independent of arrival order.
    last_event_key: tuple[datetime, str] | None = None
    # The deleting event's order key: events sorting after it change nothing (deletion absorbs).
    deleted_by: tuple[datetime, str] | None = None
    provenance: Mapping[str, FieldWrite] = attrs.field(factory=dict)
    external_ids: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def entity_name(self) -> str | None:
        """The form the entity was registered with (``data.entityName``), if any."""
        value = self.data.get("entityName")
        return value if isinstance(value, str) else None

    @property
    def display_name(self) -> str:
        value = self.data.get("name")
        return value if isinstance(value, str) and value else self.name


def first_written_at(entity: Entity) -> datetime:
    """The device time of the oldest write still visible in ``entity``: its create event's
    time unless every field it wrote was overwritten since. Stored as ``created_at`` when an
    entity is first saved (a push saves the state after its whole batch, so ``last_updated``
    alone would be the batch's last edit)."""
    return min((w.timestamp for w in entity.provenance.values()), default=entity.last_updated)
