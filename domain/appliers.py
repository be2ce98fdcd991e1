"""Built-in event types: each applier validates what it needs *before* writing to the fold,
and raises a ``DomainError`` with a stable code when the event is invalid; ``EventTypes.apply``
wraps it in the fold's per-event journal so a failure leaves no partial state behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domain.entities import GROUP, INDIVIDUAL, EntityType
from domain.entity_writes import absorbed, bump, upsert
from domain.errors import InvalidEvent
from domain.events import Event
from domain.fold import AuditChange, Fold, PairResolution
from domain.membership import add_members, delete_entity_tree, existing_group, members_of

Applier = Callable[[Fold, Event], None]


def _make_create_or_update(entity_type: EntityType) -> Applier:
    def apply(fold: Fold, event: Event) -> None:
        if entity_type == GROUP:
            members = members_of(event, required=False)
            patch = {k: v for k, v in event.data.items() if k != "members"}
        else:
            members, patch = [], dict(event.data)
        upsert(fold, event, event.entity_guid, entity_type, patch)
        group = fold.get(event.entity_guid)
        if members and group is not None and not group.deleted:
            add_members(fold, event, event.entity_guid, members)

    return apply


def apply_add_member(fold: Fold, event: Event) -> None:
    members = members_of(event, required=True)
    group = existing_group(fold, event)
    if group is None:
        return
    fold.put(bump(group, event))
    add_members(fold, event, event.entity_guid, members)


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
    group = existing_group(fold, event)
    if group is None:
        return
    remaining = tuple(m for m in group.member_ids if m != member_id)
    fold.put(bump(group, event, member_ids=remaining))
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
    if absorbed(fold, event, entity):
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
