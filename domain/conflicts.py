"""Conflict records: concurrent edits are resolved deterministically but never silently."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

import attrs

ConflictKind = Literal["concurrent-update", "update-after-delete", "inapplicable-in-order"]
ConflictStatus = Literal["open", "resolved"]
LAST_WRITER_RULE = "last-writer-wins by (timestamp, guid)"
DELETE_RULE = "deletion is absorbing"
SKIP_RULE = "event could not be applied in fold order and was skipped"


def conflict_id(entity_guid: str, field: str | None, winner: str, loser: str, kind: str) -> str:
    """Deterministic, so re-folding the same events never records the same conflict twice."""
    raw = "\x1f".join((entity_guid, field or "", winner, loser, kind))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@attrs.frozen(kw_only=True)
class Conflict:
    id: str
    entity_guid: str
    kind: ConflictKind
    field: str | None
    winner_event_guid: str
    loser_event_guid: str
    winner_value: Any = None
    loser_value: Any = None
    rule: str = LAST_WRITER_RULE
    status: ConflictStatus = "open"
    resolution: str | None = None
    detected_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None

    @classmethod
    def create(
        cls,
        *,
        entity_guid: str,
        kind: ConflictKind,
        field: str | None,
        winner: str,
        loser: str,
        winner_value: Any = None,
        loser_value: Any = None,
        rule: str = LAST_WRITER_RULE,
    ) -> Conflict:
        return cls(
            id=conflict_id(entity_guid, field, winner, loser, kind),
            entity_guid=entity_guid,
            kind=kind,
            field=field,
            winner_event_guid=winner,
            loser_event_guid=loser,
            winner_value=winner_value,
            loser_value=loser_value,
            rule=rule,
        )
