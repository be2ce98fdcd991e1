"""Reading current entities in bulk (exports, the OData feed): the query, its filter, the rows.

A scan walks a tenant's entities in ``guid`` order with keyset paging (``after``), so a page
costs the same at the start and at the end of a million rows, and nothing but one page is held
in memory. ``offset`` exists only for OData's client-driven ``$skip``.

The filter is a small tree (``Comparison`` leaves joined by ``Junction``), built by the input
adapters from ``$filter`` and translated by each repository into parameterised SQL (never
string-spliced values). Fields: the metadata names in ``META_FIELDS`` (``updatedAt``,
``createdAt``, ``type``, ...) or, with ``in_data=True``, a key of ``data`` or a dotted path
of keys into nested objects (``address.city``; equality and inequality only; values compare as
JSON values: ``"3"`` is not ``3``).

``order`` sorts a scan by one field, with ``guid`` as the tie-break in the same direction, so
every order is total and keyset paging stays exact: ``after`` (a guid) and ``after_value``
(that entity's sort key) resume strictly after it. A data field sorts by its declared kind: a
value of another JSON type (or none) sorts as null, and nulls come first ascending, last
descending (OData's rule). ``adapters_out.memory.entity_scan`` is the reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

Op = Literal["eq", "ne", "gt", "ge", "lt", "le"]
Scalar = str | int | float | bool | datetime | None

# filter field -> what it compares (the repositories map these to their columns)
META_FIELDS = ("guid", "type", "entityName", "name", "version", "createdAt", "updatedAt")
# Fields that also take gt/ge/lt/le: ones whose order is the same in every backend.
ORDERED_FIELDS = ("version", "createdAt", "updatedAt", "guid")
TIME_FIELDS = ("createdAt", "updatedAt")
DATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


@attrs.frozen(kw_only=True)
class Comparison:
    field: str
    op: Op
    value: Scalar
    in_data: bool = False  # a top-level key of ``data`` rather than a metadata field

    def __attrs_post_init__(self) -> None:
        """Refuse what the backends could not all answer the same way (``ValueError``)."""
        equality = self.op in ("eq", "ne")
        if self.value is None and not equality:
            raise ValueError("null compares with eq and ne only")
        if self.in_data:
            data_path(self.field)
            if not equality:
                raise ValueError(f"{self.field!r} supports eq and ne only")
            if isinstance(self.value, datetime):
                raise ValueError(f"{self.field!r} compares with strings, numbers or booleans")
            return
        if self.field not in META_FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if not equality and self.field not in ORDERED_FIELDS:
            raise ValueError(f"{self.field!r} supports eq and ne only")
        if self.value is not None and not _fits(self.field, self.value):
            raise ValueError(f"{self.field!r} cannot be compared with {self.value!r}")


def data_path(field: str) -> tuple[str, ...]:
    """The keys a data field names (``address.city`` -> ``("address", "city")``)."""
    keys = tuple(field.split("."))
    if len(keys) > 8 or not all(DATA_KEY.match(k) for k in keys):
        raise ValueError(f"{field!r} is not a property name or a dotted path of them")
    return keys


def _fits(field: str, value: Scalar) -> bool:
    if field in TIME_FIELDS:
        return isinstance(value, datetime) and value.tzinfo is not None
    if field == "version":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


@attrs.frozen(kw_only=True)
class Junction:
    kind: Literal["and", "or"]
    parts: tuple[Filter, ...]


Filter = Comparison | Junction

OrderKind = Literal["string", "number", "boolean"]
# Metadata fields a scan can be sorted by: never null, and ordered the same in every backend
# (text by code point; PostgreSQL compares them with COLLATE "C").
SORT_FIELDS = ("guid", "type", "name", "version", "createdAt", "updatedAt")


@attrs.frozen(kw_only=True)
class Order:
    field: str
    descending: bool = False
    in_data: bool = False
    kind: OrderKind = "string"  # data fields: the declared kind (others sort as null)

    def __attrs_post_init__(self) -> None:
        if self.in_data:
            data_path(self.field)
        elif self.field not in SORT_FIELDS:
            raise ValueError(f"cannot sort by {self.field!r}")


@attrs.frozen(kw_only=True)
class EntityScan:
    after: str | None = None  # keyset: only guids > after (with ``order``: see there)
    after_value: Scalar = None  # with ``order`` and ``after``: the sort key of ``after``
    order: Order | None = None  # None: guid ascending
    limit: int = 1000
    offset: int = 0
    entity_name: str | None = None  # only this form (data.entityName)
    # Only entities whose form is none of these (or that have no form): the "other" set.
    not_in_forms: tuple[str, ...] | None = None
    type: str | None = None  # group | individual
    include_deleted: bool = False
    updated_since: datetime | None = None  # last_updated >= this
    filter: Filter | None = None


@attrs.frozen(kw_only=True)
class EntityRow:
    """What an export needs of an entity (no provenance, no fold bookkeeping)."""

    guid: str
    type: str
    entity_name: str | None
    name: str
    data: Mapping[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted: bool
    member_ids: tuple[str, ...]


def sort_value(row: EntityRow, order: Order) -> Scalar:
    """The key ``order`` sorts ``row`` by (what a keyset token records)."""
    if not order.in_data:
        return meta_value(row, order.field)
    value: Any = row.data
    for key in data_path(order.field):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if _of_kind(order.kind, value) else None


def _of_kind(kind: OrderKind, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def meta_value(row: EntityRow, field: str) -> Any:
    """The value a metadata filter field names, for adapters that filter in Python."""
    return {
        "guid": row.guid,
        "type": row.type,
        "entityName": row.entity_name,
        "name": row.name,
        "version": row.version,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }[field]
