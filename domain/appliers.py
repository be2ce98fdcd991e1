"""Built-in event types and the registry for custom ones.

Each applier validates everything it needs *before* writing to the fold, and raises a
``DomainError`` with a stable code when the event is invalid; ``apply_event`` wraps it in the
fold's per-event journal so a failure leaves no partial state behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from domain.conflicts import DELETE_RULE, Conflict
from domain.entities import GROUP, INDIVIDUAL, Entity, EntityType, FieldWrite
from domain.errors import EventNotApplicable, InvalidEvent
from domain.events import Event
from domain.fold import AuditChange, Fold, PairResolution

Applier = Callable[[Fold, Event], None]
UNNAMED = {INDIVIDUAL: "Unnamed Individual", GROUP: "Unnamed Group"}


# -- helpers -------------------------------------------------------------------------------
def _absorbed(fold: Fold, event: Event, entity: Entity) -> bool:
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


def _bump(entity: Entity, event: Event, **changes: Any) -> Entity:
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
    if _absorbed(fold, event, current):
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
        if key in data and previous is not None and _concurrent(previous, event):
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
    fold.put(_bump(current, event, data=data, provenance=provenance, name=new_name))
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


def _concurrent(previous: FieldWrite, event: Event) -> bool:
    """The writer of ``event`` could not have seen ``previous``: another user's change that the
    server received only after ``event`` was created on its device."""
    return (
        previous.user_id != event.user_id
        and previous.received_at is not None
        and event.timestamp < previous.received_at
    )


def _members(event: Event, *, required: bool) -> list[Mapping[str, Any]]:
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


def _member_patch(member: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in member.items() if k not in ("guid", "type")}


def _add_members(
    fold: Fold, event: Event, group_guid: str, members: list[Mapping[str, Any]]
) -> None:
    for member in members:
        upsert(fold, event, member["guid"], member.get("type", INDIVIDUAL), _member_patch(member))
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


def _existing_group(fold: Fold, event: Event) -> Entity | None:
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
    if _absorbed(fold, event, group):
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
        fold.put(_bump(entity, event, deleted=True, deleted_by=event.order_key))
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
def _make_create_or_update(entity_type: EntityType) -> Applier:
    def apply(fold: Fold, event: Event) -> None:
        if entity_type == GROUP:
            members = _members(event, required=False)
            patch = {k: v for k, v in event.data.items() if k != "members"}
        else:
            members, patch = [], dict(event.data)
        upsert(fold, event, event.entity_guid, entity_type, patch)
        group = fold.get(event.entity_guid)
        if members and group is not None and not group.deleted:
            _add_members(fold, event, event.entity_guid, members)

    return apply


def apply_add_member(fold: Fold, event: Event) -> None:
    members = _members(event, required=True)
    group = _existing_group(fold, event)
    if group is None:
        return
    fold.put(_bump(group, event))
    _add_members(fold, event, event.entity_guid, members)


def apply_remove_member(fold: Fold, event: Event) -> None:
    member_id = event.data.get("memberId")
    if member_id is None:
        raise InvalidEvent(
            "'data.memberId' is required", code="missing-field", pointer="/data/memberId"
        )
    if not isinstance(member_id, str) or not member_id:
        raise InvalidEvent(
            "'data.memberId' must be a string", code="invalid-field", pointer="/data/memberId"
        )
    group = _existing_group(fold, event)
    if group is None:
        return
    remaining = tuple(m for m in group.member_ids if m != member_id)
    fold.put(_bump(group, event, member_ids=remaining))
    fold.audit.append(
        AuditChange(
            entity_guid=group.guid,
            event_guid=event.guid,
            action="remove-member",
            user_id=event.user_id,
            changes={"memberId": member_id},
            timestamp=event.timestamp,
        )
    )
    member = fold.get(member_id) if fold.is_loaded(member_id) else None
    if member is not None and member.type == GROUP and not member.deleted:
        delete_entity_tree(fold, event, member_id, groups_only=True, action="delete-subgroup")


def apply_delete_entity(fold: Fold, event: Event) -> None:
    entity = fold.get(event.entity_guid)
    if entity is None:
        fold.note_touch(event.entity_guid)
        return  # deleting a missing entity is a no-op (protocol)
    if _absorbed(fold, event, entity):
        return
    delete_entity_tree(fold, event, event.entity_guid)


def _duplicate_pairs(event: Event) -> list[tuple[str, str]]:
    pairs = event.data.get("duplicates")
    if pairs is None:
        raise InvalidEvent(
            "'data.duplicates' is required", code="missing-field", pointer="/data/duplicates"
        )
    if not isinstance(pairs, list) or not pairs:
        raise InvalidEvent(
            "'data.duplicates' must be a non-empty list",
            code="invalid-field",
            pointer="/data/duplicates",
        )
    result = []
    for index, pair in enumerate(pairs):
        if not isinstance(pair, Mapping):
            raise InvalidEvent(
                "each duplicate must be an object",
                code="invalid-field",
                pointer=f"/data/duplicates/{index}",
            )
        for key in ("entityGuid", "duplicateGuid"):
            if not isinstance(pair.get(key), str) or not pair.get(key):
                raise InvalidEvent(
                    f"'{key}' is required",
                    code="missing-field",
                    pointer=f"/data/duplicates/{index}/{key}",
                )
        result.append((pair["entityGuid"], pair["duplicateGuid"]))
    return result


def apply_resolve_duplicate(fold: Fold, event: Event) -> None:
    pairs = _duplicate_pairs(event)
    should_delete = event.data.get("shouldDelete", False)
    if not isinstance(should_delete, bool):
        raise InvalidEvent(
            "'data.shouldDelete' must be a boolean",
            code="invalid-field",
            pointer="/data/shouldDelete",
        )
    for entity_guid, duplicate_guid in pairs:
        fold.resolutions.append(
            PairResolution(
                entity_guid=entity_guid,
                duplicate_guid=duplicate_guid,
                deleted=should_delete,
                event_guid=event.guid,
            )
        )
        fold.note_touch(entity_guid)
        fold.note_touch(duplicate_guid)
    if should_delete:
        for entity_guid in dict.fromkeys(guid for guid, _ in pairs):
            entity = fold.get(entity_guid)
            if entity is not None and not entity.deleted:
                delete_entity_tree(fold, event, entity_guid, action="delete-duplicate")


BUILT_IN: dict[str, Applier] = {
    "create-individual": _make_create_or_update(INDIVIDUAL),
    "update-individual": _make_create_or_update(INDIVIDUAL),
    "create-group": _make_create_or_update(GROUP),
    "update-group": _make_create_or_update(GROUP),
    "add-member": apply_add_member,
    "remove-member": apply_remove_member,
    "delete-entity": apply_delete_entity,
    "resolve-duplicate": apply_resolve_duplicate,
}
