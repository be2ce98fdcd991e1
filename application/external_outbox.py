"""Outbox rows for the external system a tenant syncs with, written inside the push's unit of
work right after its events are numbered, in the same (feed) order. Events that came from the
system itself (a pull) are not queued back to it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain.events import Event
from domain.external_sync import idempotency_key, outbox_op, puller_id, system_of
from domain.tenants import Tenant
from ports.external_store import NewOutboxRow
from ports.repositories import UnitOfWork


def enqueue_applied(
    uow: UnitOfWork, tenant: Tenant, applied: Mapping[str, Event], now: datetime
) -> None:
    """``applied``: the push's applied events by guid, in the order they were numbered."""
    system = system_of(tenant.config)
    if system is None or not applied:
        return
    echo = puller_id(system)
    rows = [
        NewOutboxRow(
            event_guid=event.guid,
            entity_guid=event.entity_guid,
            op=outbox_op(event.type),
            idempotency_key=idempotency_key(tenant.id, system, event.guid),
        )
        for event in applied.values()
        if event.pushed_by != echo
    ]
    if rows:
        uow.external.enqueue(tenant.id, system, rows, now)
