"""Read-side entity queries (JWT, tenant-checked)."""

from __future__ import annotations

import attrs

from application.access import tenant_for
from domain.entities import GROUP, Entity
from domain.errors import NotFound
from domain.events import Event
from domain.users import Principal
from ports.repositories import EntityQuery, UnitOfWorkFactory

MAX_ENTITIES = 1000
MAX_EVENTS = 5000


@attrs.frozen(kw_only=True)
class EntityDetail:
    entity: Entity
    members: tuple[Entity, ...]  # live members, in ``member_ids`` order (groups only)
    missing: tuple[str, ...]  # member ids with no live entity


class _TenantRead:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory


class ListEntities(_TenantRead):
    def __call__(self, principal: Principal, tenant_id: str, query: EntityQuery) -> list[Entity]:
        """Newest first; ``limit`` is clamped to 1..1000."""
        query = attrs.evolve(
            query,
            limit=max(1, min(query.limit, MAX_ENTITIES)),
            offset=max(0, query.offset),
            include_deleted=False,
        )
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.entities.list(tenant_id, query)


class CountEntities(_TenantRead):
    def __call__(self, principal: Principal, tenant_id: str) -> int:
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.entities.count(tenant_id)


class CountEntitiesByForm(_TenantRead):
    def __call__(self, principal: Principal, tenant_id: str) -> dict[str, int]:
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.entities.count_by_form(tenant_id)


def _live(uow_entity: Entity | None, guid: str) -> Entity:
    if uow_entity is None or uow_entity.deleted:
        raise NotFound(f"entity {guid!r} does not exist", code="entity-not-found")
    return uow_entity


class GetEntity(_TenantRead):
    def __call__(self, principal: Principal, tenant_id: str, guid: str) -> EntityDetail:
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            entity = _live(uow.entities.get(tenant_id, guid), guid)
            if entity.type != GROUP or not entity.member_ids:
                return EntityDetail(entity=entity, members=(), missing=())
            found = uow.entities.get_many(tenant_id, entity.member_ids)
        members = [found[m] for m in entity.member_ids if m in found and not found[m].deleted]
        live = {m.guid for m in members}
        missing = tuple(m for m in entity.member_ids if m not in live)
        return EntityDetail(entity=entity, members=tuple(members), missing=missing)


class EntityEvents(_TenantRead):
    def __call__(
        self, principal: Principal, tenant_id: str, guid: str, limit: int = MAX_EVENTS
    ) -> list[Event]:
        """Events of the entity, oldest device timestamp first (``[]`` for an unknown one)."""
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            return uow.events.for_entity(tenant_id, guid, max(1, min(limit, MAX_EVENTS)))
