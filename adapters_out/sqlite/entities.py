"""SQLite entities, with a match-key index for duplicate candidates."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters_out.sqlite import entity_scan
from adapters_out.sqlite.codec import (
    chunks,
    dump,
    from_text,
    from_text_or_none,
    load,
    marks,
    to_text,
    to_text_or_none,
)
from domain.entities import Entity, FieldWrite, first_written_at
from ports.entity_scan import EntityRow, EntityScan
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
        to_text(first_written_at(e)),
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
        found = {}
        for part in chunks(guids):
            for entity in self._select(f"guid IN ({marks(part)})", [tenant_id, *part]):
                found[entity.guid] = entity
        return found

    def save_many(
        self, tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
    ) -> None:
        """Three statements per batch: upsert the rows, drop their keys, file the new keys."""
        if not entities:
            return
        self._conn.executemany(  # created_at: set by the first insert, kept by upserts
            f"INSERT INTO entities (tenant_id, {_COLUMNS}, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (tenant_id, guid) DO UPDATE SET {_UPDATES}",
            [_params(tenant_id, e) for e in entities],
        )
        saved = chunks(e.guid for e in entities)
        for part in saved:
            self._conn.execute(
                "DELETE FROM entity_match_keys"
                f" WHERE tenant_id = ? AND entity_guid IN ({marks(part)})",
                (tenant_id, *part),
            )
        self._conn.executemany(
            "INSERT INTO entity_match_keys (tenant_id, entity_guid, key) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(tenant_id, g, key) for part in saved for g in part for key in match_keys.get(g, ())],
        )

    def remove_many(self, tenant_id: str, guids: Collection[str]) -> None:
        """Forget entities entirely; their match keys go with them (ON DELETE CASCADE)."""
        for part in chunks(guids):
            self._conn.execute(
                f"DELETE FROM entities WHERE tenant_id = ? AND guid IN ({marks(part)})",
                (tenant_id, *part),
            )

    def find_by_keys(
        self, tenant_id: str, keys: Collection[str], per_key: int, exclude: Collection[str] = ()
    ) -> list[Entity]:
        found: dict[str, Entity] = {}
        # Bound as "?" each, like the keys (codec.py says why not json_each): a push's own
        # entities, at most a few thousand, well inside SQLite's 32,766 variables.
        skip = sorted(set(exclude))
        for part in chunks(keys):  # one statement per 5,000 keys, so a push stays constant
            # Ranking inside each key's bucket bounds what is loaded; the bucket's index range
            # is still scanned, which is cheap in-process even for very large buckets.
            where = (
                "deleted = 0 AND guid IN (SELECT entity_guid FROM (SELECT entity_guid,"
                " row_number() OVER (PARTITION BY key ORDER BY entity_guid) AS place"
                f" FROM entity_match_keys WHERE tenant_id = ? AND key IN ({marks(part)})"
                f" AND entity_guid NOT IN ({marks(skip)}))"
                " WHERE place <= ?)"
            )
            params = [tenant_id, tenant_id, *part, *skip, max(per_key, 0)]
            for entity in self._select(where, params):
                found[entity.guid] = entity
        return [found[guid] for guid in sorted(found)]

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

    def scan(self, tenant_id: str, query: EntityScan) -> list[EntityRow]:
        return entity_scan.scan(self._conn, tenant_id, query)

    def count_scan(self, tenant_id: str, query: EntityScan) -> int:
        return entity_scan.count(self._conn, tenant_id, query)
