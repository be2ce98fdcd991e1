"""The registry of event types: built-ins plus plug-in custom types.

A custom type supplies an applier ``(fold, event) -> None`` and, when it touches entities other
than ``event.entity_guid``, a function naming them so they are loaded before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from domain.appliers import BUILT_IN, Applier
from domain.errors import InvalidEvent
from domain.events import Event
from domain.fold import Fold

TouchFn = Callable[[Event], Iterable[str]]


def _default_touches(event: Event) -> set[str]:
    """Entities an event names in its payload (members, member ids, duplicate pairs)."""
    guids = {event.entity_guid}
    data = event.data
    members = data.get("members")
    if isinstance(members, list):
        guids.update(
            m["guid"] for m in members if isinstance(m, Mapping) and isinstance(m.get("guid"), str)
        )
    member_id = data.get("memberId")
    if isinstance(member_id, str):
        guids.add(member_id)
    pairs = data.get("duplicates")
    if isinstance(pairs, list):
        for pair in pairs:
            if isinstance(pair, Mapping):
                guids.update(
                    v
                    for k, v in pair.items()
                    if k in ("entityGuid", "duplicateGuid") and isinstance(v, str)
                )
    return guids


class EventTypes:
    """Which event types exist and how each is applied."""

    def __init__(self) -> None:
        self._appliers: dict[str, Applier] = dict(BUILT_IN)
        self._touches: dict[str, TouchFn] = {}

    def register(self, name: str, applier: Applier, touches: TouchFn | None = None) -> None:
        if name in self._appliers:
            raise ValueError(f"event type {name!r} is already registered")
        self._appliers[name] = applier
        if touches is not None:
            self._touches[name] = touches

    def names(self) -> list[str]:
        return sorted(self._appliers)

    def applier_for(self, event: Event) -> Applier:
        """The event's applier; an unknown type is an ``invalid-event-type`` rejection."""
        applier = self._appliers.get(event.type)
        if applier is None:
            raise InvalidEvent(
                f"unknown event type {event.type!r}", code="invalid-event-type", pointer="/type"
            )
        return applier

    def touches(self, event: Event) -> set[str]:
        custom = self._touches.get(event.type)
        if custom is not None:
            return {event.entity_guid, *custom(event)}
        return _default_touches(event)

    def needs_member_closure(self, event: Event) -> bool:
        """Deletions cascade through ``member_ids``, so their whole subtree must be loaded."""
        return event.type in ("delete-entity", "remove-member", "resolve-duplicate") or (
            event.type not in BUILT_IN
        )

    def apply(self, fold: Fold, event: Event) -> None:
        """Apply one event inside a fold transaction that the caller ends with
        ``fold.commit()`` or ``fold.rollback()``; on error it is already rolled back."""
        applier = self.applier_for(event)
        fold.begin(event.guid)
        try:
            applier(fold, event)
        except Exception:
            fold.rollback()
            raise
        fold.note_touch(event.entity_guid)

    def apply_now(self, fold: Fold, event: Event) -> None:
        """Apply and commit at once (folding in order, where lateness cannot occur)."""
        self.apply(fold, event)
        fold.commit()
