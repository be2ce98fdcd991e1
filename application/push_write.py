"""Write what a push produced, then number the applied events (last, to keep the per-tenant
serialised section short)."""

from __future__ import annotations

import attrs

from application.duplicate_detection import DuplicateDetector
from application.push_batch import PushBatch
from domain.duplicates import DuplicateRules, pair_key
from domain.fold import AuditChange
from ports.repositories import AuditEntry


def write_batch(batch: PushBatch, detector: DuplicateDetector, rules: DuplicateRules) -> None:
    uow, tenant, now = batch.uow, batch.tenant_id, batch.now
    changed = [
        e for g in sorted(batch.fold.changed) if (e := batch.fold.entities.get(g)) is not None
    ]
    indexed = detector.index(changed, rules)
    if changed:
        uow.entities.save_many(tenant, changed, indexed.keys)
    if batch.fold.removed:
        uow.entities.remove_many(tenant, sorted(batch.fold.removed))
    if batch.fold.conflicts:
        unique = {c.id: attrs.evolve(c, detected_at=now) for c in batch.fold.conflicts}
        uow.conflicts.add_many(tenant, list(unique.values()))
    if batch.fold.audit:
        uow.audit.add_many(tenant, [_audit_entry(a, batch.ids.new_id()) for a in batch.fold.audit])
    for resolution in batch.fold.resolutions:
        status = "deleted" if resolution.deleted else "kept-both"
        uow.duplicates.set_status(
            tenant,
            pair_key(resolution.entity_guid, resolution.duplicate_guid),
            status,
            now,
            resolution.event_guid,
        )
    if batch.fold.deleted:
        uow.duplicates.drop_pending_for(tenant, sorted(batch.fold.deleted))
    detector.detect(uow, tenant, rules, indexed, now)
    for rejected in batch.rejected:
        uow.quarantine.put(tenant, rejected)
    if batch.applied:
        uow.quarantine.remove(tenant, list(batch.applied))
        uow.events.record_touches(tenant, batch.touches)
        uow.events.number(tenant, list(batch.applied.values()))  # each event written once


def _audit_entry(change: AuditChange, guid: str) -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=guid,
        timestamp=change.timestamp,
        user_id=change.user_id,
        action=change.action,
        entity_guid=change.entity_guid,
        event_guid=change.event_guid,
        changes=change.changes,
    )
