"""In-memory entities with a match-key index for duplicate candidates."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from adapters_out.memory.entity_scan import matching, page
from adapters_out.memory.state import MemoryState
from domain.entities import Entity, first_written_at
from ports.entity_scan import EntityRow, EntityScan
from ports.repositories import EntityQuery


class MemoryEntities:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def get(self, tenant_id: str, guid: str) -> Entity | None:
        return self._s.entities.get(tenant_id, {}).get(guid)

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Entity]:
        stored = self._s.entities.get(tenant_id, {})
        return {g: stored[g] for g in guids if g in stored}

    def save_many(
        self, tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
    ) -> None:
        stored, index = self._s.entities[tenant_id], self._s.keys[tenant_id]
        filed, created = self._s.entity_keys[tenant_id], self._s.entity_created[tenant_id]
        for entity in entities:
            created.setdefault(entity.guid, first_written_at(entity))
            stored[entity.guid] = entity
            for key in filed.pop(entity.guid, set()):
                index.get(key, set()).discard(entity.guid)
            keys = set(match_keys.get(entity.guid, ()))
            if keys:
                filed[entity.guid] = keys
                for key in keys:
                    index.setdefault(key, set()).add(entity.guid)

    def remove_many(self, tenant_id: str, guids: Collection[str]) -> None:
        stored, index = self._s.entities[tenant_id], self._s.keys[tenant_id]
        filed, created = self._s.entity_keys[tenant_id], self._s.entity_created[tenant_id]
        for guid in guids:
            stored.pop(guid, None)
            created.pop(guid, None)
            for key in filed.pop(guid, set()):
                index.get(key, set()).discard(guid)

    def find_by_keys(
        self, tenant_id: str, keys: Collection[str], per_key: int, exclude: Collection[str] = ()
    ) -> list[Entity]:
        index, stored = self._s.keys.get(tenant_id, {}), self._s.entities.get(tenant_id, {})
        guids: set[str] = set()
        skip = set(exclude)
        for key in keys:
            live = sorted(
                g
                for g in index.get(key, ())
                if g in stored and not stored[g].deleted and g not in skip
            )
            guids.update(live[: max(per_key, 0)])
        return [stored[g] for g in sorted(guids)]

    def _live(self, tenant_id: str, include_deleted: bool = False) -> list[Entity]:
        return [
            e
            for e in self._s.entities.get(tenant_id, {}).values()
            if include_deleted or not e.deleted
        ]

    def list(self, tenant_id: str, query: EntityQuery) -> list[Entity]:
        rows = [
            e
            for e in self._live(tenant_id, query.include_deleted)
            if (query.entity_name is None or e.entity_name == query.entity_name)
            and (query.type is None or e.type == query.type)
        ]
        rows.sort(key=lambda e: (e.last_updated, e.guid), reverse=True)
        return rows[query.offset : query.offset + query.limit]

    def count(self, tenant_id: str) -> int:
        return len(self._live(tenant_id))

    def count_by_form(self, tenant_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entity in self._live(tenant_id):
            if entity.entity_name is not None:
                counts[entity.entity_name] = counts.get(entity.entity_name, 0) + 1
        return counts

    def _rows(self, tenant_id: str, query: EntityScan) -> list[EntityRow]:
        created = self._s.entity_created.get(tenant_id, {})
        stored = self._s.entities.get(tenant_id, {})
        rows = (
            EntityRow(
                guid=e.guid,
                type=e.type,
                entity_name=e.entity_name,
                name=e.name,
                data=e.data,
                version=e.version,
                created_at=created.get(e.guid, e.last_updated),
                updated_at=e.last_updated,
                deleted=e.deleted,
                member_ids=e.member_ids,
            )
            for e in stored.values()
        )
        return sorted(matching(rows, query), key=lambda r: r.guid)

    def scan(self, tenant_id: str, query: EntityScan) -> list[EntityRow]:
        return page(self._rows(tenant_id, query), query)

    def count_scan(self, tenant_id: str, query: EntityScan) -> int:
        return len(self._rows(tenant_id, query))
