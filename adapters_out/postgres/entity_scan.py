# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column names,
# operators); every value goes through a "%s" parameter.
"""PostgreSQL entity scans for exports and the OData feed: keyset pages in guid order, and the
filter tree (``ports.entity_scan``) as parameterised SQL."""

from __future__ import annotations

import json
from typing import Any

from adapters_out.fast_json import load
from adapters_out.postgres.session import Session
from ports.entity_scan import Comparison, EntityRow, EntityScan, Filter, Order, data_path

_COLUMNS = {
    "guid": "guid",
    "type": "type",
    "entityName": "entity_name",
    "name": "name",
    "version": "version",
    "createdAt": "coalesce(created_at, last_updated)",
    "updatedAt": "last_updated",
}
_OPS = {"eq": "=", "ne": "IS DISTINCT FROM", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# ``data`` comes as text, decoded by ``fast_json`` (about a third of the cost of psycopg's
# jsonb loader, which goes through ``json.loads``).
_SELECT = (
    "SELECT guid, type, entity_name, name, data::text, version,"
    " coalesce(created_at, last_updated),"
    " last_updated, deleted,"
    " member_ids FROM entities"
)


def _comparison(c: Comparison, params: list[Any]) -> str:
    if c.in_data:
        params.append(list(data_path(c.field)))
        if c.value is None:  # missing or JSON null
            test = "coalesce(data #> %s::text[], 'null'::jsonb) = 'null'::jsonb"
        else:
            params.append(json.dumps(c.value))
            test = "coalesce(data #> %s::text[] = %s::jsonb, false)"
        return test if c.op == "eq" else f"NOT ({test})"
    column = _COLUMNS[c.field]
    if c.value is None:
        return f"{column} IS {'NOT ' if c.op == 'ne' else ''}NULL"
    params.append(c.value)
    return f"{column} {_OPS[c.op]} %s"


def _filter(f: Filter, params: list[Any]) -> str:
    if isinstance(f, Comparison):
        return _comparison(f, params)
    joined = f" {f.kind.upper()} ".join(_filter(p, params) for p in f.parts)
    return f"({joined or ('TRUE' if f.kind == 'and' else 'FALSE')})"


# Sort keys. Text sorts by code point (COLLATE "C"), as in SQLite and Python. A data field is
# read as its declared kind; any other JSON type reads as null. Each takes its path twice.
_SORT_COLUMNS = {**_COLUMNS, "type": 'type COLLATE "C"', "name": 'name COLLATE "C"'}
_DATA_KEYS = {
    "string": "CASE WHEN jsonb_typeof(data #> %s::text[]) = 'string'"
    ' THEN (data #>> %s::text[]) COLLATE "C" END',
    "number": "CASE WHEN jsonb_typeof(data #> %s::text[]) = 'number'"
    " THEN (data #>> %s::text[])::numeric END",
    "boolean": "CASE WHEN jsonb_typeof(data #> %s::text[]) = 'boolean'"
    " THEN (data #>> %s::text[])::boolean END",
}
_CASTS = {"string": '%s::text COLLATE "C"', "number": "%s::numeric", "boolean": "%s::boolean"}


def _key(order: Order, params: list[Any]) -> str:
    if not order.in_data:
        return _SORT_COLUMNS[order.field]
    path = list(data_path(order.field))
    params.extend([path, path])
    return _DATA_KEYS[order.kind]


def _after(q: EntityScan, order: Order, params: list[Any]) -> str:
    """Strictly after (``after_value``, ``after``) in the scan's order."""
    less = order.descending
    if not order.in_data:  # never null: a row comparison, which an index range answers
        key = _key(order, params)
        params.extend([q.after_value, q.after])
        return f"({key}, guid) {'<' if less else '>'} (%s, %s)"
    op = "<" if less else ">"
    if q.after_value is None:  # nulls first ascending, last descending
        key = _key(order, params)
        params.append(q.after)
        if less:
            return f"(({key}) IS NULL AND guid < %s)"
        return f"(({key}) IS NULL AND guid {op} %s OR ({_key(order, params)}) IS NOT NULL)"
    cast = _CASTS[order.kind]
    first = _key(order, params)
    params.append(q.after_value)
    second = _key(order, params)
    params.extend([q.after_value, q.after])
    test = f"({first}) {op} {cast} OR ({second}) = {cast} AND guid {op} %s"
    if less:
        return f"({test} OR ({_key(order, params)}) IS NULL)"
    return f"({test})"


def _order_by(order: Order | None, params: list[Any]) -> str:
    if order is None:
        return "guid"
    direction = " DESC" if order.descending else ""
    nulls = ""
    if order.in_data:
        nulls = " NULLS LAST" if order.descending else " NULLS FIRST"
    return f"{_key(order, params)}{direction}{nulls}, guid{direction}"


def _where(tenant_id: str, q: EntityScan, params: list[Any], *, keyset: bool) -> str:
    params.append(tenant_id)
    where = ["tenant_id = %s"]
    if not q.include_deleted:
        where.append("NOT deleted")
    if keyset and q.after is not None:
        if q.order is None:
            where.append("guid > %s")
            params.append(q.after)
        else:
            where.append(_after(q, q.order, params))
    if q.entity_name is not None:
        where.append("entity_name = %s")
        params.append(q.entity_name)
    if q.not_in_forms:  # () excludes nothing
        where.append("(entity_name IS NULL OR NOT entity_name = ANY(%s))")
        params.append(list(q.not_in_forms))
    if q.type is not None:
        where.append("type = %s")
        params.append(q.type)
    if q.updated_since is not None:
        where.append("last_updated >= %s")
        params.append(q.updated_since)
    if q.filter is not None:
        where.append(_filter(q.filter, params))
    return " AND ".join(where)


def scan(db: Session, tenant_id: str, q: EntityScan) -> list[EntityRow]:
    params: list[Any] = []
    where = _where(tenant_id, q, params, keyset=True)
    order_by = _order_by(q.order, params)
    text = f"{_SELECT} WHERE {where} ORDER BY {order_by} LIMIT %s OFFSET %s"
    rows = db.read(text, [*params, max(0, q.limit), max(0, q.offset)]).fetchall()
    return [
        EntityRow(
            guid=r[0],
            type=r[1],
            entity_name=r[2],
            name=r[3],
            data=load(r[4]),
            version=r[5],
            created_at=r[6],
            updated_at=r[7],
            deleted=r[8],
            member_ids=tuple(r[9]),
        )
        for r in rows
    ]


def count(db: Session, tenant_id: str, q: EntityScan) -> int:
    params: list[Any] = []
    where = _where(tenant_id, q, params, keyset=False)
    row = db.read(f"SELECT count(*) FROM entities WHERE {where}", params).fetchone()
    return int(row[0]) if row else 0
