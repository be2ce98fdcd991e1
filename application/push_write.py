"""Write a push's changes, then number the applied events (last, to keep the per-tenant
serialised section short). Nothing here decides anything: ``PushChanges`` already says it all."""

from __future__ import annotations

from datetime import datetime

from application.push_changes import PushChanges
from domain.duplicates import pair_key
from ports.repositories import UnitOfWork


def write_changes(uow: UnitOfWork, tenant: str, changes: PushChanges, now: datetime) -> None:
    if changes.entities:
        uow.entities.save_many(tenant, changes.entities, changes.match_keys)
    if changes.removed:
        uow.entities.remove_many(tenant, changes.removed)
    if changes.conflicts:
        uow.conflicts.add_many(tenant, changes.conflicts)
    if changes.audit:
        uow.audit.add_many(tenant, changes.audit)
    for resolution in changes.resolutions:
        uow.duplicates.set_status(
            tenant,
            pair_key(resolution.entity_guid, resolution.duplicate_guid),
            "deleted" if resolution.deleted else "kept-both",
            now,
            resolution.event_guid,
        )
    if changes.deleted:
        uow.duplicates.drop_pending_for(tenant, changes.deleted)
    if changes.duplicates:
        uow.duplicates.add_many(tenant, changes.duplicates)
    for rejected in changes.rejected:
        uow.quarantine.put(tenant, rejected)
    if changes.applied:
        uow.quarantine.remove(tenant, list(changes.applied))
        uow.events.record_touches(tenant, changes.touches)
        uow.events.number(tenant, list(changes.applied.values()))  # each event written once
