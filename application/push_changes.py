"""Everything one push will write, decided before anything is written: one frozen value.

A push reads top to bottom (push.py): parse -> claim -> load -> fold (domain) -> these
changes -> write (push_write.py) -> commit. Building the value may read (duplicate candidates,
known pairs) but never writes, so the writer has nothing left to decide.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from application.duplicate_detection import DuplicateDetector
from application.push_batch import PushBatch
from application.push_results import EventResult
from domain.conflicts import Conflict
from domain.duplicates import DuplicateRules, PotentialDuplicate
from domain.entities import Entity
from domain.events import Event
from domain.fold import AuditChange, PairResolution
from ports.clock import IdGenerator
from ports.repositories import AuditEntry, RejectedEvent


@attrs.frozen(kw_only=True)
class PushChanges:
    results: tuple[EventResult, ...]  # one per input event, in input order
    applied: Mapping[str, Event]  # by guid, in the order they are numbered
    # Entities each event touched: the applied ones, and stored ones whose re-fold (a late
    # event) reached further than before.
    touches: Mapping[str, frozenset[str]]
    entities: tuple[Entity, ...]  # changed entities (live or deleted), by guid
    match_keys: Mapping[str, frozenset[str]]  # duplicate-candidate keys of ``entities``
    removed: tuple[str, ...]  # entities a re-fold un-created
    conflicts: tuple[Conflict, ...]
    audit: tuple[AuditEntry, ...]
    resolutions: tuple[PairResolution, ...]  # duplicate pairs a device resolved
    deleted: tuple[str, ...]  # their pending duplicate pairs are dropped
    duplicates: tuple[PotentialDuplicate, ...]  # new pairs only
    rejected: tuple[RejectedEvent, ...]  # to quarantine


def changes_of(batch: PushBatch, detector: DuplicateDetector, rules: DuplicateRules) -> PushChanges:
    fold, now = batch.fold, batch.now
    entities = tuple(e for g in sorted(fold.changed) if (e := fold.entities.get(g)) is not None)
    indexed = detector.index(entities, rules)
    removed = tuple(sorted(fold.removed))
    duplicates = detector.find(
        batch.uow, batch.tenant_id, rules, indexed, now, written=[*indexed.keys, *removed]
    )
    unique_conflicts = {c.id: attrs.evolve(c, detected_at=now) for c in fold.conflicts}
    return PushChanges(
        results=tuple(batch.results),
        applied=dict(batch.applied),
        touches={g: frozenset(t) for g, t in batch.touches.items()},
        entities=entities,
        match_keys=indexed.keys,
        removed=removed,
        conflicts=tuple(unique_conflicts.values()),
        audit=tuple(_audit_entry(a, batch.ids) for a in fold.audit),
        resolutions=tuple(fold.resolutions),
        deleted=tuple(sorted(fold.deleted)),
        duplicates=tuple(duplicates),
        rejected=tuple(batch.rejected),
    )


def _audit_entry(change: AuditChange, ids: IdGenerator) -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=ids.new_id(),
        timestamp=change.timestamp,
        user_id=change.user_id,
        action=change.action,
        entity_guid=change.entity_guid,
        event_guid=change.event_guid,
        changes=change.changes,
    )
