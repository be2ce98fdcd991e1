"""Conflicts (admin): list them and resolve them.

``keep`` accepts the value the fold chose; ``apply-other`` issues a server ``update-*`` event
that sets the losing value, so every device pulls the decision. Both mark the record resolved.
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

from application.access import require_admin, tenant_for
from application.server_events import IssueServerEvent
from domain.conflicts import Conflict, ConflictStatus
from domain.entities import GROUP
from domain.errors import AlreadyExists, NotFound, ValidationFailed
from domain.users import Principal
from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory

Resolution = Literal["keep", "apply-other"]
RESOLUTIONS = get_args(Resolution)
STATUSES = get_args(ConflictStatus)
MAX_LIMIT = 1000


@attrs.frozen(kw_only=True)
class ConflictResolved:
    conflict: Conflict
    event_guid: str | None  # the server event that applied the other value, if any


def _invalid(pointer: str, code: str, detail: str) -> ValidationFailed:
    return ValidationFailed(detail, [(pointer, code, detail)])


class ListConflicts:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(
        self,
        principal: Principal,
        tenant_id: str,
        status: str | None = "open",
        limit: int = 100,
        offset: int = 0,
    ) -> list[Conflict]:
        require_admin(principal)
        if status is not None and status not in STATUSES:
            raise _invalid("/status", "invalid-value", f"status is one of {', '.join(STATUSES)}")
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.conflicts.list(
                tenant_id, status, max(1, min(limit, MAX_LIMIT)), max(0, offset)
            )


class ResolveConflict:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, issue: IssueServerEvent, clock: Clock
    ) -> None:
        self._uow_factory, self._issue, self._clock = uow_factory, issue, clock

    def __call__(
        self, principal: Principal, tenant_id: str, conflict_id: str, resolution: str
    ) -> ConflictResolved:
        require_admin(principal)
        if resolution not in RESOLUTIONS:
            raise _invalid(
                "/resolution", "invalid-value", f"resolution is one of {', '.join(RESOLUTIONS)}"
            )
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            conflict = self._open_conflict(uow.conflicts.get(tenant_id, conflict_id), conflict_id)
            entity = uow.entities.get(tenant_id, conflict.entity_guid)
        event_guid = None
        if resolution == "apply-other":
            if conflict.kind != "concurrent-update" or conflict.field is None:
                raise _invalid(
                    "/resolution",
                    "not-applicable",
                    f"a {conflict.kind} conflict has no other value to apply",
                )
            if entity is None or entity.deleted:
                raise _invalid("/resolution", "entity-deleted", "the entity no longer exists")
            kind = "update-group" if entity.type == GROUP else "update-individual"
            result = self._issue(
                tenant_id,
                principal,
                kind,
                entity.guid,
                {conflict.field: conflict.loser_value},
                not_before=entity.last_updated,
            )
            event_guid = result.guid
        resolved = attrs.evolve(
            conflict,
            status="resolved",
            resolution=resolution,
            resolved_at=self._clock.now(),
            resolved_by=principal.user_id,
        )
        with self._uow_factory() as uow:
            uow.conflicts.update(tenant_id, resolved)
            uow.commit()
        return ConflictResolved(conflict=resolved, event_guid=event_guid)

    @staticmethod
    def _open_conflict(conflict: Conflict | None, conflict_id: str) -> Conflict:
        if conflict is None:
            raise NotFound(f"conflict {conflict_id!r} does not exist", code="conflict-not-found")
        if conflict.status == "resolved":
            raise AlreadyExists(
                f"conflict {conflict_id!r} is already resolved", code="conflict-resolved"
            )
        return conflict
