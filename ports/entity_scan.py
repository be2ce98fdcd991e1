"""Reading current entities in bulk (exports, the OData feed): the query, its filter, the rows.

A scan walks a tenant's entities in ``guid`` order with keyset paging (``after``), so a page
costs the same at the start and at the end of a million rows, and nothing but one page is held
in memory. ``offset`` exists only for OData's client-driven ``$skip``.

The filter is a small tree (``Comparison`` leaves joined by ``Junction``), built by the input
adapters from ``$filter`` and translated by each repository into parameterised SQL (never
string-spliced values). Fields: the metadata names in ``META_FIELDS`` (``updatedAt``,
``createdAt``, ``type``, ...) or, with ``in_data=True``, a top-level key of ``data`` (equality
and inequality only; values compare as JSON values: ``"3"`` is not ``3``).
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
            if not DATA_KEY.match(self.field):
                raise ValueError(f"{self.field!r} is not a property name")
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


@attrs.frozen(kw_only=True)
class EntityScan:
    after: str | None = None  # keyset: only guids > after
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
