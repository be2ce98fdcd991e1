"""The working set an event is applied to, with an undo journal per event.

``Fold`` is mutable on purpose: a batch of 1,000 events touches a few thousand entities, and
copying the whole state per event would make pushes quadratic. Each event runs between
``begin()`` and ``commit()``/``rollback()``, so a failing event leaves no trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from domain.conflicts import Conflict
from domain.entities import Entity


class NotLoaded(LookupError):
    """The caller forgot to load an entity the event needs: a programming error, not bad input."""


@attrs.frozen(kw_only=True)
class AuditChange:
    entity_guid: str
    event_guid: str
    action: str
    user_id: str
    changes: dict[str, Any]
    timestamp: datetime


@attrs.frozen(kw_only=True)
class PairResolution:
    entity_guid: str
    duplicate_guid: str
    deleted: bool
    event_guid: str


@attrs.define
class Fold:
    """Entities by guid (``None`` = known to be absent) plus what applying events produced."""

    entities: dict[str, Entity | None] = attrs.field(factory=dict)
    # When true, an unknown guid means "absent" (folding a closed set of events from scratch).
    assume_absent: bool = False
    changed: set[str] = attrs.field(factory=set)
    conflicts: list[Conflict] = attrs.field(factory=list)
    audit: list[AuditChange] = attrs.field(factory=list)
    resolutions: list[PairResolution] = attrs.field(factory=list)
    deleted: set[str] = attrs.field(factory=set)
    removed: set[str] = attrs.field(factory=set)  # existed before, un-created by a re-fold
    touched: dict[str, set[str]] = attrs.field(factory=dict)
    _undo: list[tuple[str, Entity | None, bool, bool]] | None = None
    _marks: tuple[int, int, int] = (0, 0, 0)
    _current: str | None = None

    def load(self, entities: Iterable[Entity], absent: Iterable[str] = ()) -> None:
        for entity in entities:
            self.entities[entity.guid] = entity
        for guid in absent:
            self.entities.setdefault(guid, None)

    def is_loaded(self, guid: str) -> bool:
        return self.assume_absent or guid in self.entities

    def get(self, guid: str) -> Entity | None:
        if guid in self.entities:
            return self.entities[guid]
        if self.assume_absent:
            return None
        raise NotLoaded(guid)

    def put(self, entity: Entity) -> None:
        guid = entity.guid
        if self._undo is not None:
            self._undo.append(
                (guid, self.entities.get(guid), guid in self.changed, guid in self.removed)
            )
        self.entities[guid] = entity
        self.changed.add(guid)
        self.removed.discard(guid)
        self.note_touch(guid)
        if entity.deleted:
            self.deleted.add(guid)

    def note_touch(self, guid: str) -> None:
        """Record that the current event depends on ``guid`` even though it did not change it."""
        if self._current is not None:
            self.touched.setdefault(self._current, set()).add(guid)

    # -- per-event transaction -------------------------------------------------------------
    def begin(self, event_guid: str) -> None:
        self._undo = []
        self._current = event_guid
        self._marks = (len(self.conflicts), len(self.audit), len(self.resolutions))

    def previous_states(self) -> dict[str, Entity | None]:
        """State before the current event of every entity it wrote (first write wins)."""
        before: dict[str, Entity | None] = {}
        for guid, old, _, _ in self._undo or []:
            before.setdefault(guid, old)
        return before

    def commit(self) -> None:
        self._undo, self._current = None, None

    def replace(self, closure: Iterable[str], refolded: Fold) -> None:
        """Overwrite the states of ``closure`` with re-folded ones (outside any event
        transaction). An entity the re-fold never creates must not exist at all."""
        for guid in closure:
            entity = refolded.entities.get(guid)
            if entity is None:
                if self.entities.get(guid) is not None:
                    self.removed.add(guid)
                self.entities[guid] = None
                self.changed.discard(guid)
                self.deleted.discard(guid)
                continue
            self.entities[guid] = entity
            self.changed.add(guid)
            self.removed.discard(guid)
            if entity.deleted:
                self.deleted.add(guid)
            else:
                self.deleted.discard(guid)

    def rollback(self) -> None:
        undo = self._undo or []
        for guid, old, was_changed, was_removed in reversed(undo):
            self.entities[guid] = old
            if not was_changed:
                self.changed.discard(guid)
            if was_removed:
                self.removed.add(guid)
            if old is None or not old.deleted:
                self.deleted.discard(guid)
        conflicts, audit, resolutions = self._marks
        del self.conflicts[conflicts:]
        del self.audit[audit:]
        del self.resolutions[resolutions:]
        if self._current is not None:
            self.touched.pop(self._current, None)
        self._undo, self._current = None, None
