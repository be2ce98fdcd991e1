"""SQLite entity scans for exports and the OData feed: keyset pages in guid order, and the
filter tree (``ports.entity_scan``) as parameterised SQL."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column names,
# operators); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from adapters_out.fast_json import load as load_data
from adapters_out.sqlite.codec import from_text, load, marks, to_text
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
_OPS = {"eq": "=", "ne": "IS NOT", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_SELECT = (
    "SELECT guid, type, entity_name, name, data, version, coalesce(created_at, last_updated),"
    " last_updated, deleted,"
    " member_ids FROM entities"
)


def _data_equals(c: Comparison, params: list[Any]) -> str:
    """JSON-typed equality: a string never equals a number, nor ``true`` the number 1."""
    path = _json_path(c.field)
    value = c.value
    if value is None:
        params.append(path)
        return "coalesce(json_type(data, ?), 'null') = 'null'"
    if isinstance(value, bool):
        params.append(path)
        return f"coalesce(json_type(data, ?) = '{'true' if value else 'false'}', 0)"
    kinds = "'text'" if isinstance(value, str) else "'integer', 'real'"
    params.extend([path, path, value])
    return f"coalesce(json_type(data, ?) IN ({kinds}) AND json_extract(data, ?) = ?, 0)"


def _json_path(field: str) -> str:
    # keys are identifiers (checked by ``data_path``), so quoting them cannot be escaped
    return "$" + "".join(f'."{key}"' for key in data_path(field))


# Sort keys: a data field read as its declared kind, any other JSON type as null (SQLite sorts
# nulls first ascending and last descending, OData's rule; text by code point).
_DATA_KEYS = {
    "string": "CASE WHEN json_type(data, ?) = 'text' THEN json_extract(data, ?) END",
    "number": "CASE WHEN json_type(data, ?) IN ('integer', 'real') THEN json_extract(data, ?) END",
    "boolean": "CASE json_type(data, ?) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
}


def _key(order: Order, params: list[Any]) -> str:
    if not order.in_data:
        return _COLUMNS[order.field]
    path = _json_path(order.field)
    params.extend([path] * _DATA_KEYS[order.kind].count("?"))
    return _DATA_KEYS[order.kind]


def _value(value: Any) -> Any:
    return to_text(value) if isinstance(value, datetime) else value


def _after(q: EntityScan, order: Order, params: list[Any]) -> str:
    """Strictly after (``after_value``, ``after``) in the scan's order."""
    op = "<" if order.descending else ">"
    if q.after_value is None:  # only data keys are ever null
        key = _key(order, params)
        params.append(q.after)
        if order.descending:
            return f"(({key}) IS NULL AND guid < ?)"
        return f"(({key}) IS NULL AND guid > ? OR ({_key(order, params)}) IS NOT NULL)"
    key = _key(order, params)
    params.extend([_value(q.after_value), q.after])
    test = f"({key}, guid) {op} (?, ?)"
    if order.descending and order.in_data:
        return f"({test} OR ({_key(order, params)}) IS NULL)"
    return test


def _order_by(order: Order | None, params: list[Any]) -> str:
    if order is None:
        return "guid"
    direction = " DESC" if order.descending else ""
    return f"{_key(order, params)}{direction}, guid{direction}"


def _comparison(c: Comparison, params: list[Any]) -> str:
    if c.in_data:
        test = _data_equals(c, params)
        return test if c.op == "eq" else f"NOT ({test})"
    column = _COLUMNS[c.field]
    if c.value is None:
        return f"{column} IS {'NOT ' if c.op == 'ne' else ''}NULL"
    params.append(to_text(c.value) if isinstance(c.value, datetime) else c.value)
    return f"{column} {_OPS[c.op]} ?"


def _filter(f: Filter, params: list[Any]) -> str:
    if isinstance(f, Comparison):
        return _comparison(f, params)
    joined = f" {f.kind.upper()} ".join(_filter(p, params) for p in f.parts)
    return f"({joined or ('1' if f.kind == 'and' else '0')})"


def _where(tenant_id: str, q: EntityScan, params: list[Any], *, keyset: bool) -> str:
    params.append(tenant_id)
    where = ["tenant_id = ?"]
    if not q.include_deleted:
        where.append("deleted = 0")
    if keyset and q.after is not None:
        if q.order is None:
            where.append("guid > ?")
            params.append(q.after)
        else:
            where.append(_after(q, q.order, params))
    if q.entity_name is not None:
        where.append("entity_name = ?")
        params.append(q.entity_name)
    if q.not_in_forms:  # () excludes nothing
        where.append(f"(entity_name IS NULL OR entity_name NOT IN ({marks(q.not_in_forms)}))")
        params.extend(q.not_in_forms)
    if q.type is not None:
        where.append("type = ?")
        params.append(q.type)
    if q.updated_since is not None:
        where.append("last_updated >= ?")
        params.append(to_text(q.updated_since))
    if q.filter is not None:
        where.append(_filter(q.filter, params))
    return " AND ".join(where)


def scan(conn: sqlite3.Connection, tenant_id: str, q: EntityScan) -> list[EntityRow]:
    params: list[Any] = []
    where = _where(tenant_id, q, params, keyset=True)
    order_by = _order_by(q.order, params)
    text = f"{_SELECT} WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?"
    cursor = conn.execute(text, (*params, max(0, q.limit), max(0, q.offset)))
    return [
        EntityRow(
            guid=r[0],
            type=r[1],
            entity_name=r[2],
            name=r[3],
            data=load_data(r[4]),
            version=r[5],
            created_at=from_text(r[6]),
            updated_at=from_text(r[7]),
            deleted=bool(r[8]),
            member_ids=tuple(load(r[9])),
        )
        for r in cursor
    ]


def count(conn: sqlite3.Connection, tenant_id: str, q: EntityScan) -> int:
    params: list[Any] = []
    where = _where(tenant_id, q, params, keyset=False)
    return int(conn.execute(f"SELECT count(*) FROM entities WHERE {where}", params).fetchone()[0])
