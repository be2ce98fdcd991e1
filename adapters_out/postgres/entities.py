"""PostgreSQL entities with their duplicate match keys."""

# ruff: noqa: S608 - SQL text is assembled only from module constants and keyed.py's
# fragments (table and column names are fixed identifiers, values are always parameters).

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from adapters_out.postgres import entity_scan
from adapters_out.postgres.codec import jsonb_texts, provenance_doc, provenance_from
from adapters_out.postgres.keyed import TENANT, each_key, keyed_params
from adapters_out.postgres.session import Session
from domain.entities import Entity, first_written_at
from ports.entity_scan import EntityRow, EntityScan
from ports.repositories import EntityQuery

_SELECT_ENTITY = (
    "SELECT guid, type, name, data, version, last_updated, member_ids, deleted, last_event_at,"
    " last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids FROM entities"
)

_COLUMNS = (
    "r.guid, r.type, r.name, r.data, r.version, r.last_updated, r.member_ids, r.deleted,"
    " r.last_event_at, r.last_event_guid, r.deleted_by_at, r.deleted_by_guid, r.provenance,"
    " r.external_ids"
)
_GET_MANY = "SELECT " + _COLUMNS + each_key("entities", "guid")
# Up to ``per_key`` entities per key (the first by guid), by the (tenant_id, key, entity_guid)
# primary key, then each entity by its own key.
_FIND_BY_KEYS = (
    "SELECT " + _COLUMNS + " FROM (SELECT DISTINCT b.entity_guid, w.tenant_id"
    " FROM unnest(%(keys)b::text[]) AS k(key) CROSS JOIN " + TENANT + " CROSS JOIN LATERAL"
    " (SELECT m.entity_guid FROM entity_match_keys m WHERE m.tenant_id = w.tenant_id"
    " AND m.key = k.key AND m.entity_guid <> ALL(%(exclude)b::text[])"
    " ORDER BY m.key, m.entity_guid LIMIT %(per_key)s) AS b) AS c"
    # "Live" is tested outside the lookup: inside it, the partial index of live entities
    # would match the predicate and compete with the primary key for the lookup.
    " CROSS JOIN LATERAL (SELECT t.* FROM entities t WHERE t.tenant_id = c.tenant_id"
    " AND t.guid = c.entity_guid LIMIT 1) AS r WHERE NOT r.deleted ORDER BY r.guid"
)
_REMOVE = (
    "WITH keys AS (DELETE FROM entity_match_keys m USING (SELECT r.row_id"
    + each_key("entity_match_keys", "entity_guid", per_key="OFFSET 0")
    + ") AS v WHERE m.ctid = v.row_id)"
    " DELETE FROM entities e USING (SELECT r.row_id"
    + each_key("entities", "guid")
    + ") AS v WHERE e.ctid = v.row_id"
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
    " deleted_by_guid, provenance, external_ids, created_at)"
    " SELECT %(tenant)s, guid, type, name, entity_name, data, version, last_updated,"
    " ARRAY(SELECT jsonb_array_elements_text(members)), deleted, last_event_at,"
    " last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids, created_at"
    " FROM unnest(%(guid)b::text[], %(type)b::text[], %(name)b::text[],"
    " %(entity_name)b::text[], %(data)b::jsonb[], %(version)b::integer[],"
    " %(last_updated)b::timestamptz[], %(members)b::jsonb[], %(deleted)b::boolean[],"
    " %(last_event_at)b::timestamptz[], %(last_event_guid)b::text[],"
    " %(deleted_by_at)b::timestamptz[], %(deleted_by_guid)b::text[],"
    " %(provenance)b::jsonb[], %(external_ids)b::jsonb[], %(created_at)b::timestamptz[])"
    " AS v(guid, type, name, entity_name, data, version, last_updated, members, deleted,"
    " last_event_at, last_event_guid, deleted_by_at, deleted_by_guid, provenance,"
    " external_ids, created_at)"
    " ON CONFLICT (tenant_id, guid) DO UPDATE SET type = EXCLUDED.type,"
    " name = EXCLUDED.name, entity_name = EXCLUDED.entity_name, data = EXCLUDED.data,"
    " version = EXCLUDED.version, last_updated = EXCLUDED.last_updated,"
    " member_ids = EXCLUDED.member_ids, deleted = EXCLUDED.deleted,"
    " last_event_at = EXCLUDED.last_event_at, last_event_guid = EXCLUDED.last_event_guid,"
    " deleted_by_at = EXCLUDED.deleted_by_at, deleted_by_guid = EXCLUDED.deleted_by_guid,"
    " provenance = EXCLUDED.provenance, external_ids = EXCLUDED.external_ids),"
    " wanted AS (SELECT * FROM unnest(%(key_guid)b::text[], %(key)b::text[])"
    " AS k(entity_guid, key)),"
    " dropped AS (DELETE FROM entity_match_keys m USING (SELECT r.row_id"
    " FROM unnest(%(guid)b::text[]) AS k(key) CROSS JOIN " + TENANT + " CROSS JOIN LATERAL"
    " (SELECT t.ctid AS row_id, t.entity_guid, t.key FROM entity_match_keys t"
    " WHERE t.tenant_id = w.tenant_id AND t.entity_guid = k.key OFFSET 0) AS r"
    " WHERE NOT EXISTS (SELECT 1 FROM wanted x"
    " WHERE x.entity_guid = r.entity_guid AND x.key = r.key)) AS v WHERE m.ctid = v.row_id)"
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
        "created_at": [first_written_at(e) for e in entities],
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
        rows = self._db.read(_GET_MANY, keyed_params(tenant_id, guids)).fetchall()
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
        self._db.write(_REMOVE, keyed_params(tenant_id, guids))

    def find_by_keys(
        self, tenant_id: str, keys: Collection[str], per_key: int, exclude: Collection[str] = ()
    ) -> list[Entity]:
        if not keys:
            return []
        params = {
            **keyed_params(tenant_id, keys),
            "per_key": max(0, per_key),
            "exclude": sorted(set(exclude)),
        }
        rows = self._db.read(_FIND_BY_KEYS, params).fetchall()
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

    def scan(self, tenant_id: str, query: EntityScan) -> list[EntityRow]:
        return entity_scan.scan(self._db, tenant_id, query)

    def count_scan(self, tenant_id: str, query: EntityScan) -> int:
        return entity_scan.count(self._db, tenant_id, query)
