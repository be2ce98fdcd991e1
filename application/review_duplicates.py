"""Potential duplicates: list them (JWT, tenant-checked) and resolve them (admin) by issuing a
``resolve-duplicate`` event that every device pulls. Pending pairs never block pull."""

from __future__ import annotations

from typing import get_args

import attrs

from application.access import require_admin, tenant_for
from application.server_events import IssueServerEvent
from domain.duplicates import DuplicateStatus, PotentialDuplicate
from domain.errors import NotFound, ValidationFailed
from domain.users import Principal
from ports.repositories import UnitOfWorkFactory

STATUSES = get_args(DuplicateStatus)
MAX_LIMIT = 1000


@attrs.frozen(kw_only=True)
class DuplicateResolution:
    new_item: str
    existing_item: str
    should_delete_new_item: bool = False


class ListDuplicates:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(
        self,
        principal: Principal,
        tenant_id: str,
        status: str | None = "pending",
        limit: int = 100,
        offset: int = 0,
    ) -> list[PotentialDuplicate]:
        """``status`` None lists every pair; else one of pending, kept-both, deleted."""
        if status is not None and status not in STATUSES:
            raise ValidationFailed(
                "unknown status",
                [("/status", "invalid-value", f"status must be one of {', '.join(STATUSES)}")],
            )
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.duplicates.list(
                tenant_id,
                status,  # type: ignore[arg-type]
                max(1, min(limit, MAX_LIMIT)),
                max(0, offset),
            )


class ResolveDuplicate:
    def __init__(self, uow_factory: UnitOfWorkFactory, issue: IssueServerEvent) -> None:
        self._uow_factory, self._issue = uow_factory, issue

    def __call__(self, principal: Principal, tenant_id: str, cmd: DuplicateResolution) -> str:
        """Returns the guid of the ``resolve-duplicate`` event. "Keep both" is remembered, so
        the pair is never flagged again."""
        require_admin(principal)
        if cmd.new_item == cmd.existing_item:
            raise ValidationFailed(
                "a pair needs two entities",
                [("/existingItem", "same-entity", "newItem and existingItem are the same")],
            )
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            found = uow.entities.get_many(tenant_id, [cmd.new_item, cmd.existing_item])
        for guid in (cmd.new_item, cmd.existing_item):
            if guid not in found:
                raise NotFound(f"entity {guid!r} does not exist", code="entity-not-found")
        result = self._issue(
            tenant_id,
            principal,
            "resolve-duplicate",
            cmd.new_item,
            {
                "duplicates": [{"entityGuid": cmd.new_item, "duplicateGuid": cmd.existing_item}],
                "shouldDelete": cmd.should_delete_new_item,
            },
            not_before=max(e.last_updated for e in found.values()),
        )
        return result.guid or ""
