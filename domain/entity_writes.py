"""Writing entity state: create-or-merge with field provenance, conflicts, deletion absorbs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from domain.conflicts import DELETE_RULE, Conflict
from domain.entities import GROUP, INDIVIDUAL, Entity, EntityType, FieldWrite
from domain.errors import EventNotApplicable
from domain.events import Event
from domain.fold import AuditChange, Fold

UNNAMED = {INDIVIDUAL: "Unnamed Individual", GROUP: "Unnamed Group"}


def absorbed(fold: Fold, event: Event, entity: Entity) -> bool:
    """Deletion absorbs later events: record the attempt as a conflict, change nothing."""
    if not entity.deleted:
        return False
    fold.note_touch(entity.guid)
    fold.conflicts.append(
        Conflict.create(
            entity_guid=entity.guid,
            kind="update-after-delete",
            field=None,
            winner=entity.deleted_by[1] if entity.deleted_by else "",
            loser=event.guid,
            rule=DELETE_RULE,
        )
    )
    return True


def bump(entity: Entity, event: Event, **changes: Any) -> Entity:
    return attrs.evolve(
        entity,
        version=entity.version + 1,
        last_updated=event.timestamp,
        last_event_key=event.order_key,
        **changes,
    )


def upsert(
    fold: Fold, event: Event, guid: str, entity_type: EntityType, patch: Mapping[str, Any]
) -> None:
    """Create the entity if absent, else merge ``patch`` shallowly into its data."""
    current = fold.get(guid)
    writer = FieldWrite(
        event_guid=event.guid,
        user_id=event.user_id,
        timestamp=event.timestamp,
        received_at=event.received_at,
    )
    if current is None:
        name = patch.get("name")
        fold.put(
            Entity(
                guid=guid,
                type=entity_type,
                name=name if isinstance(name, str) and name else UNNAMED[entity_type],
                data=dict(patch),
                version=1,
                last_updated=event.timestamp,
                last_event_key=event.order_key,
                provenance=dict.fromkeys(patch, writer),
            )
        )
        fold.audit.append(
            AuditChange(
                entity_guid=guid,
                event_guid=event.guid,
                action="create",
                user_id=event.user_id,
                changes=dict(patch),
                timestamp=event.timestamp,
            )
        )
        return
    if absorbed(fold, event, current):
        return
    if current.type != entity_type:
        raise EventNotApplicable(
            f"entity {guid} is a {current.type}, not a {entity_type}",
            code="wrong-entity-type",
            pointer="/entityGuid",
        )
    data, provenance, changes = dict(current.data), dict(current.provenance), {}
    for key, value in patch.items():
        if key in data and data[key] == value:
            provenance[key] = writer
            continue
        previous = provenance.get(key)
        if key in data and previous is not None and concurrent(previous, event):
            fold.conflicts.append(
                Conflict.create(
                    entity_guid=guid,
                    kind="concurrent-update",
                    field=key,
                    winner=event.guid,
                    loser=previous.event_guid,
                    winner_value=value,
                    loser_value=data[key],
                )
            )
        changes[key] = value
        data[key] = value
        provenance[key] = writer
    name = patch.get("name")
    new_name = name if isinstance(name, str) and name else current.name
    fold.put(bump(current, event, data=data, provenance=provenance, name=new_name))
    fold.audit.append(
        AuditChange(
            entity_guid=guid,
            event_guid=event.guid,
            action="update",
            user_id=event.user_id,
            changes=changes,
            timestamp=event.timestamp,
        )
    )


def concurrent(previous: FieldWrite, event: Event) -> bool:
    """The writer of ``event`` could not have seen ``previous``: another user's change that the
    server received only after ``event`` was created on its device."""
    return (
        previous.user_id != event.user_id
        and previous.received_at is not None
        and event.timestamp < previous.received_at
    )
