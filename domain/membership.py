"""Group membership and cascading deletion, shared by several event types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from domain.entities import GROUP, INDIVIDUAL, Entity
from domain.entity_writes import absorbed, bump, upsert
from domain.errors import EventNotApplicable, InvalidEvent
from domain.events import Event
from domain.fold import AuditChange, Fold


def members_of(event: Event, *, required: bool) -> list[Mapping[str, Any]]:
    members = event.data.get("members")
    if members is None:
        if required:
            raise InvalidEvent(
                "'data.members' is required", code="missing-field", pointer="/data/members"
            )
        return []
    if not isinstance(members, list) or (required and not members):
        raise InvalidEvent(
            "'data.members' must be a non-empty list of objects",
            code="invalid-field",
            pointer="/data/members",
        )
    for index, member in enumerate(members):
        if not isinstance(member, Mapping):
            raise InvalidEvent(
                "each member must be an object",
                code="invalid-field",
                pointer=f"/data/members/{index}",
            )
        guid = member.get("guid")
        if not isinstance(guid, str) or not guid:
            raise InvalidEvent(
                "each member needs a 'guid'",
                code="missing-field",
                pointer=f"/data/members/{index}/guid",
            )
        if member.get("type", INDIVIDUAL) not in (INDIVIDUAL, GROUP):
            raise InvalidEvent(
                "member 'type' must be 'individual' or 'group'",
                code="invalid-field",
                pointer=f"/data/members/{index}/type",
            )
    return members


def member_patch(member: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in member.items() if k not in ("guid", "type")}


def add_members(
    fold: Fold, event: Event, group_guid: str, members: list[Mapping[str, Any]]
) -> None:
    for member in members:
        upsert(fold, event, member["guid"], member.get("type", INDIVIDUAL), member_patch(member))
    group = fold.get(group_guid)
    assert group is not None
    if group.deleted:
        return
    known = set(group.member_ids)
    added = [m["guid"] for m in members if m["guid"] not in known]
    # Preserve order, never add the same member twice even when listed twice.
    unique_added = list(dict.fromkeys(added))
    if unique_added:
        fold.put(attrs.evolve(group, member_ids=(*group.member_ids, *unique_added)))
        fold.audit.append(
            AuditChange(
                entity_guid=group_guid,
                event_guid=event.guid,
                action="add-member",
                user_id=event.user_id,
                changes={"memberIds": unique_added},
                timestamp=event.timestamp,
            )
        )


def existing_group(fold: Fold, event: Event) -> Entity | None:
    group = fold.get(event.entity_guid)
    if group is None:
        raise EventNotApplicable(
            f"group {event.entity_guid} does not exist",
            code="entity-not-found",
            pointer="/entityGuid",
        )
    if group.type != GROUP and not group.deleted:
        raise EventNotApplicable(
            f"entity {event.entity_guid} is not a group", code="not-a-group", pointer="/entityGuid"
        )
    if absorbed(fold, event, group):
        return None
    return group


def delete_entity_tree(
    fold: Fold, event: Event, guid: str, *, groups_only: bool = False, action: str = "delete"
) -> None:
    """Tombstone ``guid`` and its members recursively (only sub-groups when ``groups_only``)."""
    stack, seen = [guid], set()
    while stack:
        current_guid = stack.pop()
        if current_guid in seen:
            continue
        seen.add(current_guid)
        entity = fold.get(current_guid)
        # Visited means depended on, even when already deleted: if that deletion sorts after
        # this event, arrival order differs from fold order and the closure must be re-folded.
        fold.note_touch(current_guid)
        if entity is None or entity.deleted:
            continue
        if entity.type == GROUP:
            for member_guid in entity.member_ids:
                member = fold.get(member_guid)
                if member is not None and (not groups_only or member.type == GROUP):
                    stack.append(member_guid)
        fold.put(bump(entity, event, deleted=True, deleted_by=event.order_key))
        fold.audit.append(
            AuditChange(
                entity_guid=current_guid,
                event_guid=event.guid,
                action=action,
                user_id=event.user_id,
                changes={},
                timestamp=event.timestamp,
            )
        )


# -- built-in appliers -----------------------------------------------------------------------
