"""SQLite entities, with a match-key index for duplicate candidates."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters_out.sqlite.codec import (
    IN_LIST,
    dump,
    from_text,
    from_text_or_none,
    json_list,
    load,
    to_text,
    to_text_or_none,
)
from domain.entities import Entity, FieldWrite
from ports.repositories import EntityQuery

_COLUMNS = (
    "guid, type, name, data, entity_name, version, last_updated, member_ids, deleted,"
    " last_event_at, last_event_guid, deleted_by_at, deleted_by_guid, provenance, external_ids"
)
_UPDATES = ", ".join(
    f"{c} = excluded.{c}" for c in _COLUMNS.replace(" ", "").split(",") if c != "guid"
)


def _key(at: str | None, guid: str | None) -> tuple[datetime, str] | None:
    return None if at is None or guid is None else (from_text(at), guid)


def _provenance(raw: Mapping[str, Any]) -> dict[str, FieldWrite]:
    return {
        field: FieldWrite(
            event_guid=w["event_guid"],
            user_id=w["user_id"],
            timestamp=from_text(w["timestamp"]),
            received_at=from_text_or_none(w["received_at"]),
        )
        for field, w in raw.items()
    }


def _entity(row: sqlite3.Row) -> Entity:
    return Entity(
        guid=row["guid"],
        type=row["type"],
        name=row["name"],
        data=load(row["data"]),
        version=row["version"],
        last_updated=from_text(row["last_updated"]),
        member_ids=tuple(load(row["member_ids"])),
        deleted=bool(row["deleted"]),
        last_event_key=_key(row["last_event_at"], row["last_event_guid"]),
        deleted_by=_key(row["deleted_by_at"], row["deleted_by_guid"]),
        provenance=_provenance(load(row["provenance"])),
        external_ids=load(row["external_ids"]),
    )


def _params(tenant_id: str, e: Entity) -> tuple[object, ...]:
    last, gone = e.last_event_key, e.deleted_by
    provenance = {
        field: {
            "event_guid": w.event_guid,
            "user_id": w.user_id,
            "timestamp": to_text(w.timestamp),
            "received_at": to_text_or_none(w.received_at),
        }
        for field, w in e.provenance.items()
    }
    return (
        tenant_id,
        e.guid,
        e.type,
        e.name,
        dump(e.data),
        e.entity_name,
        e.version,
        to_text(e.last_updated),
        dump(list(e.member_ids)),
        int(e.deleted),
        to_text(last[0]) if last else None,
        last[1] if last else None,
        to_text(gone[0]) if gone else None,
        gone[1] if gone else None,
        dump(provenance),
        dump(e.external_ids),
    )


class SqliteEntities:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _select(self, where: str, params: Sequence[object]) -> list[Entity]:
        sql = f"SELECT {_COLUMNS} FROM entities WHERE tenant_id = ? AND {where}"
        return [_entity(row) for row in self._conn.execute(sql, (*params,))]

    def get(self, tenant_id: str, guid: str) -> Entity | None:
        found = self._select("guid = ?", [tenant_id, guid])
        return found[0] if found else None

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Entity]:
        if not guids:
            return {}
        return {e.guid: e for e in self._select(f"guid {IN_LIST}", [tenant_id, json_list(guids)])}

    def save_many(
        self, tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
    ) -> None:
        """Three statements per batch: upsert the rows, drop their keys, file the new keys."""
        if not entities:
            return
        self._conn.executemany(
            f"INSERT INTO entities (tenant_id, {_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (tenant_id, guid) DO UPDATE SET {_UPDATES}",
            [_params(tenant_id, e) for e in entities],
        )
        guids = list(dict.fromkeys(e.guid for e in entities))
        self._conn.execute(
            f"DELETE FROM entity_match_keys WHERE tenant_id = ? AND entity_guid {IN_LIST}",
            (tenant_id, json_list(guids)),
        )
        self._conn.executemany(
            "INSERT INTO entity_match_keys (tenant_id, entity_guid, key) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(tenant_id, guid, key) for guid in guids for key in match_keys.get(guid, ())],
        )

    def remove_many(self, tenant_id: str, guids: Collection[str]) -> None:
        """Forget entities entirely; their match keys go with them (ON DELETE CASCADE)."""
        if guids:
            self._conn.execute(
                f"DELETE FROM entities WHERE tenant_id = ? AND guid {IN_LIST}",
                (tenant_id, json_list(guids)),
            )

    def find_by_keys(self, tenant_id: str, keys: Collection[str], limit: int) -> list[Entity]:
        if not keys:
            return []
        where = (
            "deleted = 0 AND guid IN (SELECT entity_guid FROM entity_match_keys"
            f" WHERE tenant_id = ? AND key {IN_LIST}) ORDER BY guid LIMIT ?"
        )
        return self._select(where, [tenant_id, tenant_id, json_list(keys), max(limit, 0)])

    def list(self, tenant_id: str, query: EntityQuery) -> list[Entity]:
        where, params = ["1 = 1"], [tenant_id]
        if not query.include_deleted:
            where.append("deleted = 0")
        if query.entity_name is not None:
            where.append("entity_name = ?")
            params.append(query.entity_name)
        if query.type is not None:
            where.append("type = ?")
            params.append(query.type)
        sql = " AND ".join(where) + " ORDER BY last_updated DESC, guid DESC LIMIT ? OFFSET ?"
        return self._select(sql, [*params, max(query.limit, 0), max(query.offset, 0)])

    def count(self, tenant_id: str) -> int:
        sql = "SELECT COUNT(*) FROM entities WHERE tenant_id = ? AND deleted = 0"
        return int(self._conn.execute(sql, (tenant_id,)).fetchone()[0])

    def count_by_form(self, tenant_id: str) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT entity_name, COUNT(*) FROM entities"
            " WHERE tenant_id = ? AND deleted = 0 AND entity_name IS NOT NULL"
            " GROUP BY entity_name",
            (tenant_id,),
        )
        return {name: int(count) for name, count in rows}
