"""The reference semantics of an entity scan's filters, in Python (the SQL adapters must agree;
``tests/contract`` checks that they do)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ports.entity_scan import (
    Comparison,
    EntityRow,
    EntityScan,
    Filter,
    Order,
    data_path,
    meta_value,
    sort_value,
)

_MISSING = object()
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: a string never equals a number, nor ``true`` the number 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return a == b
    return type(a) is type(b) and a == b


def _compare(row: EntityRow, c: Comparison) -> bool:
    if c.in_data:
        found: Any = row.data
        for key in data_path(c.field):
            found = found.get(key, _MISSING) if isinstance(found, Mapping) else _MISSING
        if c.value is None:
            equal = found is _MISSING or found is None
        else:
            equal = found is not _MISSING and _json_equal(found, c.value)
        return equal if c.op == "eq" else not equal
    value = meta_value(row, c.field)
    if c.op == "eq":
        return value == c.value
    if c.op == "ne":
        return value != c.value
    return value is not None and c.value is not None and _ORDER[c.op](value, c.value)


def _holds(row: EntityRow, f: Filter) -> bool:
    if isinstance(f, Comparison):
        return _compare(row, f)
    results = (_holds(row, p) for p in f.parts)
    return all(results) if f.kind == "and" else any(results)


def matching(rows: Iterable[EntityRow], q: EntityScan) -> Iterator[EntityRow]:
    for row in rows:
        if row.deleted and not q.include_deleted:
            continue
        if q.entity_name is not None and row.entity_name != q.entity_name:
            continue
        if q.not_in_forms is not None and row.entity_name in q.not_in_forms:
            continue
        if q.type is not None and row.type != q.type:
            continue
        if q.updated_since is not None and row.updated_at < q.updated_since:
            continue
        if q.filter is not None and not _holds(row, q.filter):
            continue
        yield row


def _position(row: EntityRow, order: Order) -> tuple:
    value = sort_value(row, order)
    return ((0,) if value is None else (1, value), row.guid)  # nulls before any value


def page(rows: list[EntityRow], q: EntityScan) -> list[EntityRow]:
    """``rows`` (all matches, in guid order) sorted and cut as ``q`` says."""
    if q.order is None:
        if q.after is not None:
            rows = [r for r in rows if r.guid > q.after]
    else:
        order = q.order
        rows = sorted(rows, key=lambda r: _position(r, order), reverse=order.descending)
        if q.after is not None:
            value = q.after_value
            mark = ((0,) if value is None else (1, value), q.after)
            if order.descending:
                rows = [r for r in rows if _position(r, order) < mark]
            else:
                rows = [r for r in rows if _position(r, order) > mark]
    start = max(0, q.offset)
    return rows[start : start + max(0, q.limit)]
