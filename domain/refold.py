"""Re-fold: rebuild a closed set of entities from all their events, in fold order.

This is what makes the server's state independent of arrival order: when an event arrives that
sorts before something already applied, the affected entities are recomputed from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.conflicts import SKIP_RULE, Conflict
from domain.errors import DomainError
from domain.event_types import EventTypes
from domain.events import Event
from domain.fold import Fold


def refold(events: Iterable[Event], types: EventTypes, *, new_event_guids: set[str]) -> Fold:
    """Fold ``events`` (every event touching a closed set of entities) from empty state.

    A *new* event that fails raises, so the caller can reject it. An already stored event that
    cannot be applied in this order (possible with skewed device clocks) is skipped and leaves
    an ``inapplicable-in-order`` conflict: stored events are never dropped silently.
    """
    fold = Fold(assume_absent=True)
    for event in sorted(events, key=lambda e: e.order_key):
        try:
            types.apply_now(fold, event)
        except DomainError as error:
            if event.guid in new_event_guids:
                raise
            fold.conflicts.append(
                Conflict.create(
                    entity_guid=event.entity_guid,
                    kind="inapplicable-in-order",
                    field=None,
                    winner="",
                    loser=event.guid,
                    loser_value=error.code,
                    rule=SKIP_RULE,
                )
            )
    fold.audit[:] = [entry for entry in fold.audit if entry.event_guid in new_event_guids]
    return fold
