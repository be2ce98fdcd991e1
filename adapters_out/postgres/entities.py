"""PostgreSQL entities with their duplicate match keys."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from adapters_out.postgres.codec import jsonb_texts, provenance_doc, provenance_from
from adapters_out.postgres.session import Session
from domain.entities import Entity
from ports.repositories import EntityQuery

_SELECT_ENTITY = (
    "SELECT guid, type, name, data, version, last_updated, member_ids, deleted, last_event_at,"
    " last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids FROM entities"
)

_FIND_BY_KEYS = (
    "SELECT guid, type, name, data, version, last_updated, member_ids, deleted, last_event_at,"
    " last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids FROM entities"
    " WHERE tenant_id = %(tenant)s AND NOT deleted AND guid IN (SELECT bucket.entity_guid"
    " FROM unnest(%(keys)b::text[]) AS wanted(key) CROSS JOIN LATERAL ("
    " SELECT entity_guid FROM entity_match_keys WHERE tenant_id = %(tenant)s"
    " AND key = wanted.key ORDER BY entity_guid LIMIT %(per_key)s) AS bucket)"
    " ORDER BY guid"
)


def _entity(row: Any) -> Entity:
    return Entity(
        guid=row[0],
        type=row[1],
        name=row[2],
        data=row[3],
        version=row[4],
        last_updated=row[5],
        member_ids=tuple(row[6]),
        deleted=row[7],
        last_event_key=None if row[8] is None else (row[8], row[9]),
        deleted_by=None if row[10] is None else (row[10], row[11]),
        provenance=provenance_from(row[12]),
        external_ids=row[13],
    )


# Upsert the entities and replace their match keys in one statement (one round trip): keys
# no longer wanted are deleted, new ones inserted, unchanged ones left alone. Member ids go as
# JSON because PostgreSQL has no arrays of arrays of differing lengths.
_SAVE = (
    "WITH saved AS ("
    " INSERT INTO entities (tenant_id, guid, type, name, entity_name, data, version,"
    " last_updated, member_ids, deleted, last_event_at, last_event_guid, deleted_by_at,"
    " deleted_by_guid, provenance, external_ids)"
    " SELECT %(tenant)s, guid, type, name, entity_name, data, version, last_updated,"
    " ARRAY(SELECT jsonb_array_elements_text(members)), deleted, last_event_at,"
    " last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids"
    " FROM unnest(%(guid)b::text[], %(type)b::text[], %(name)b::text[],"
    " %(entity_name)b::text[], %(data)b::jsonb[], %(version)b::integer[],"
    " %(last_updated)b::timestamptz[], %(members)b::jsonb[], %(deleted)b::boolean[],"
    " %(last_event_at)b::timestamptz[], %(last_event_guid)b::text[],"
    " %(deleted_by_at)b::timestamptz[], %(deleted_by_guid)b::text[],"
    " %(provenance)b::jsonb[], %(external_ids)b::jsonb[])"
    " AS v(guid, type, name, entity_name, data, version, last_updated, members, deleted,"
    " last_event_at, last_event_guid, deleted_by_at, deleted_by_guid, provenance,"
    " external_ids)"
    " ON CONFLICT (tenant_id, guid) DO UPDATE SET type = EXCLUDED.type,"
    " name = EXCLUDED.name, entity_name = EXCLUDED.entity_name, data = EXCLUDED.data,"
    " version = EXCLUDED.version, last_updated = EXCLUDED.last_updated,"
    " member_ids = EXCLUDED.member_ids, deleted = EXCLUDED.deleted,"
    " last_event_at = EXCLUDED.last_event_at, last_event_guid = EXCLUDED.last_event_guid,"
    " deleted_by_at = EXCLUDED.deleted_by_at, deleted_by_guid = EXCLUDED.deleted_by_guid,"
    " provenance = EXCLUDED.provenance, external_ids = EXCLUDED.external_ids),"
    " wanted AS (SELECT * FROM unnest(%(key_guid)b::text[], %(key)b::text[])"
    " AS k(entity_guid, key)),"
    " dropped AS (DELETE FROM entity_match_keys m"
    " WHERE m.tenant_id = %(tenant)s AND m.entity_guid = ANY(%(guid)b) AND NOT EXISTS"
    " (SELECT 1 FROM wanted w WHERE w.entity_guid = m.entity_guid AND w.key = m.key))"
    " INSERT INTO entity_match_keys (tenant_id, key, entity_guid)"
    " SELECT %(tenant)s, key, entity_guid FROM wanted ON CONFLICT DO NOTHING"
)


def _save_params(
    tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
) -> dict[str, Any]:
    keys = sorted((e.guid, k) for e in entities for k in set(match_keys.get(e.guid, ())))
    return {
        "tenant": tenant_id,
        "guid": [e.guid for e in entities],
        "type": [e.type for e in entities],
        "name": [e.name for e in entities],
        "entity_name": [e.entity_name for e in entities],
        "data": jsonb_texts(e.data for e in entities),
        "version": [e.version for e in entities],
        "last_updated": [e.last_updated for e in entities],
        "members": jsonb_texts(list(e.member_ids) for e in entities),
        "deleted": [e.deleted for e in entities],
        "last_event_at": [e.last_event_key[0] if e.last_event_key else None for e in entities],
        "last_event_guid": [e.last_event_key[1] if e.last_event_key else None for e in entities],
        "deleted_by_at": [e.deleted_by[0] if e.deleted_by else None for e in entities],
        "deleted_by_guid": [e.deleted_by[1] if e.deleted_by else None for e in entities],
        "provenance": jsonb_texts(provenance_doc(e.provenance) for e in entities),
        "external_ids": jsonb_texts(dict(e.external_ids) for e in entities),
        "key_guid": [k[0] for k in keys],
        "key": [k[1] for k in keys],
    }


class PgEntities:
    def __init__(self, db: Session) -> None:
        self._db = db

    def get(self, tenant_id: str, guid: str) -> Entity | None:
        row = self._db.read(
            _SELECT_ENTITY + " WHERE tenant_id = %s AND guid = %s", (tenant_id, guid)
        ).fetchone()
        return None if row is None else _entity(row)

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Entity]:
        if not guids:
            return {}
        rows = self._db.read(
            _SELECT_ENTITY + " WHERE tenant_id = %s AND guid = ANY(%b)", (tenant_id, list(guids))
        ).fetchall()
        return {r[0]: _entity(r) for r in rows}

    def save_many(
        self, tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
    ) -> None:
        # The last state of a guid wins (as in memory); an upsert may touch a row only once.
        latest = {e.guid: e for e in entities}
        if latest:
            ordered = [latest[g] for g in sorted(latest)]  # one row-lock order for everyone
            self._db.write(_SAVE, _save_params(tenant_id, ordered, match_keys))

    def remove_many(self, tenant_id: str, guids: Collection[str]) -> None:
        if not guids:
            return
        self._db.write(
            "WITH keys AS (DELETE FROM entity_match_keys"
            " WHERE tenant_id = %(tenant)s AND entity_guid = ANY(%(guids)b))"
            " DELETE FROM entities WHERE tenant_id = %(tenant)s AND guid = ANY(%(guids)b)",
            {"tenant": tenant_id, "guids": sorted(set(guids))},
        )

    def find_by_keys(self, tenant_id: str, keys: Collection[str], per_key: int) -> list[Entity]:
        if not keys:
            return []
        rows = self._db.read(
            _FIND_BY_KEYS,
            {"tenant": tenant_id, "keys": list(keys), "per_key": max(0, per_key)},
        ).fetchall()
        return [_entity(r) for r in rows]

    def list(self, tenant_id: str, query: EntityQuery) -> list[Entity]:
        rows = self._db.read(
            _SELECT_ENTITY + " WHERE tenant_id = %(tenant)s"
            " AND (%(include_deleted)s OR NOT deleted)"
            " AND (%(entity_name)s::text IS NULL OR entity_name = %(entity_name)s)"
            " AND (%(type)s::text IS NULL OR type = %(type)s)"
            " ORDER BY last_updated DESC, guid DESC LIMIT %(limit)s OFFSET %(offset)s",
            {
                "tenant": tenant_id,
                "include_deleted": query.include_deleted,
                "entity_name": query.entity_name,
                "type": query.type,
                "limit": max(0, query.limit),
                "offset": max(0, query.offset),
            },
        ).fetchall()
        return [_entity(r) for r in rows]

    def count(self, tenant_id: str) -> int:
        row = self._db.read(
            "SELECT count(*) FROM entities WHERE tenant_id = %s AND NOT deleted", (tenant_id,)
        ).fetchone()
        return row[0] if row else 0

    def count_by_form(self, tenant_id: str) -> dict[str, int]:
        rows = self._db.read(
            "SELECT entity_name, count(*) FROM entities"
            " WHERE tenant_id = %s AND NOT deleted AND entity_name IS NOT NULL"
            " GROUP BY entity_name",
            (tenant_id,),
        ).fetchall()
        return {name: n for name, n in rows}
