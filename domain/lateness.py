"""When an arriving event is late: the rules that decide between applying it on top of the
current state (the fast path) and re-folding the entities it touches.

Events fold in order of their device time, then guid (``Event.order_key``). An arriving event
is *late* for an entity when something already folded into that entity sorts after it:

- an entity that exists knows the key of the last event folded into it (``last_event_key``);
- an entity that does not exist (never created, or not yet: a "phantom") may still have been
  named by events already applied, e.g. a delete or a member link that arrived before the
  create. Those events leave their key behind here, so that an earlier-sorting event for the
  same entity (its create, say) re-folds it instead of being applied on top.

Pure: the caller supplies the stored history and the states; nothing here reads storage.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime

import attrs

from domain.entities import Entity
from domain.events import Event

OrderKey = tuple[datetime, str]


def sorts_after(entity: Entity | None, event: Event) -> bool:
    """The entity already folded an event that sorts after ``event``."""
    return bool(entity and entity.last_event_key and entity.last_event_key > event.order_key)


@attrs.define
class Lateness:
    """The latest order key of events that touched entities which do not exist, per guid."""

    phantom_keys: dict[str, OrderKey] = attrs.field(factory=dict)

    def note(self, entity_guid: str, key: OrderKey) -> None:
        """An event with ``key`` touched ``entity_guid`` while it did not exist."""
        known = self.phantom_keys.get(entity_guid)
        if known is None or known < key:
            self.phantom_keys[entity_guid] = key

    def note_history(
        self,
        absent: Collection[str],
        events: Mapping[str, Event],
        touches: Mapping[str, Collection[str]],
    ) -> None:
        """Stored ``events`` (by guid) with the entities each touched (``touches``), for the
        entities found ``absent`` from storage."""
        for guid, event in events.items():
            for entity_guid in touches.get(guid, ()):
                if entity_guid in absent:
                    self.note(entity_guid, event.order_key)

    def is_late(self, entity_guid: str, before: Entity | None, event: Event) -> bool:
        """``event`` sorts before something already folded into ``entity_guid`` (whose state
        before the event is ``before``)."""
        if before is None:
            phantom = self.phantom_keys.get(entity_guid)
            return phantom is not None and phantom > event.order_key
        return sorts_after(before, event)

    def any_late(
        self, event: Event, touched: Iterable[str], before: Callable[[str], Entity | None]
    ) -> bool:
        return any(self.is_late(g, before(g), event) for g in touched)

    def remember(self, event: Event, touched: Iterable[str], exists: Callable[[str], bool]) -> None:
        """``event`` was folded; the entities it touched that still do not exist keep its key."""
        for entity_guid in touched:
            if not exists(entity_guid):
                self.note(entity_guid, event.order_key)
