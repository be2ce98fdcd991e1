"""Quarantined (rejected) events, admin only: retry one through the push path, or discard it
with an audit entry. Listing is ``GET /api/sync/rejected`` (the sync resources)."""

from __future__ import annotations

from collections.abc import Mapping

from application.access import require_admin, tenant_for
from application.push import EventResult, PushEvents
from domain.errors import NotFound, ValidationFailed
from domain.event_parsing import event_guid_of
from domain.users import Principal
from ports.clock import Clock, IdGenerator
from ports.repositories import AuditEntry, RejectedEvent, UnitOfWork, UnitOfWorkFactory


def _rejected(uow: UnitOfWork, tenant_id: str, guid: str) -> RejectedEvent:
    found = uow.quarantine.get(tenant_id, guid)
    if found is None:
        raise NotFound(f"no rejected event {guid!r}", code="rejected-event-not-found")
    return found


class RetryRejected:
    def __init__(self, uow_factory: UnitOfWorkFactory, push: PushEvents) -> None:
        self._uow_factory, self._push = uow_factory, push

    def __call__(self, principal: Principal, tenant_id: str, guid: str) -> EventResult:
        """Re-submit the raw event as received. Applied (or already stored): it leaves the
        quarantine; rejected again: it stays, with the new reason and one more attempt."""
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            rejected = _rejected(uow, tenant_id, guid)
        if event_guid_of(rejected.raw) != rejected.guid:
            raise ValidationFailed(
                "this event cannot be retried",
                [("/guid", "no-guid", "the event has no usable guid; fix it on the device")],
            )
        result = self._push(tenant_id, principal, [rejected.raw]).results[0]
        if result.status == "duplicate":
            with self._uow_factory() as uow:
                uow.quarantine.remove(tenant_id, [guid])
                uow.commit()
        return result


class DiscardRejected:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow_factory, self._clock, self._ids = uow_factory, clock, ids

    def __call__(self, principal: Principal, tenant_id: str, guid: str) -> None:
        require_admin(principal)
        with self._uow_factory() as uow:
            tenant_for(uow, tenant_id, principal)
            rejected = _rejected(uow, tenant_id, guid)
            raw = rejected.raw if isinstance(rejected.raw, Mapping) else {}
            entity_guid = raw.get("entityGuid")
            uow.quarantine.remove(tenant_id, [guid])
            uow.audit.add_many(
                tenant_id,
                [
                    AuditEntry(
                        id=None,
                        guid=self._ids.new_id(),
                        timestamp=self._clock.now(),
                        user_id=principal.user_id,
                        action="discard-rejected-event",
                        entity_guid=entity_guid if isinstance(entity_guid, str) else "",
                        event_guid=guid,
                        changes={
                            "code": rejected.code,
                            "message": rejected.message,
                            "attempts": rejected.attempts,
                        },
                    )
                ],
            )
            uow.commit()
