"""The OData entity model of a tenant: one entity type and set per table, its properties, CSDL
($metadata) and the JSON of an entity.

Property names are OData identifiers: a dotted column (``address.city``) becomes
``address_city``; a column whose name cannot be made one, or would repeat another, is left to
``extra``. Types: form numbers are ``Edm.Double``, checkboxes ``Edm.Boolean``, everything else
``Edm.String`` (grids, select boxes and other structured values as JSON text). A stored value
that does not fit its property's type (text in a number field) is not coerced: the property is
null and the value is kept in ``extra``, so nothing is lost or invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

import attrs

from domain.export_columns import Column, Flattener, FormTable, json_text
from ports.entity_scan import EntityRow

NAMESPACE = "DataCollect"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_NOT_NULL = dict.fromkeys(("guid", "type", "version", "memberIds"), ' Nullable="false"')
META_PROPERTIES = (
    ("guid", "Edm.String"),
    ("type", "Edm.String"),
    ("entityName", "Edm.String"),
    ("name", "Edm.String"),
    ("version", "Edm.Int64"),
    ("createdAt", "Edm.DateTimeOffset"),
    ("updatedAt", "Edm.DateTimeOffset"),
    ("memberIds", "Collection(Edm.String)"),
)
EDM = {
    "string": "Edm.String",
    "number": "Edm.Double",
    "boolean": "Edm.Boolean",
    "json": "Edm.String",
}


def _fits(kind: str, value: Any) -> bool:
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    return True


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _put(tree: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for key in path[:-1]:
        node = tree.get(key)
        if not isinstance(node, dict):
            node = tree[key] = {}
        tree = node
    tree[path[-1]] = value


@attrs.frozen(kw_only=True)
class DataProperty:
    name: str
    column: Column


def _identifier(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)[:120]
    return name if IDENTIFIER.match(name) else "_" + name


class EntitySetModel:
    def __init__(self, table: FormTable, name: str) -> None:
        self.table = table.name  # the form (or ``other``)
        self.name = name  # the entity set: an OData identifier
        self.type_name = name + "_type"
        self._flatten = Flattener(table.columns)
        taken = {name for name, _ in META_PROPERTIES} | {"extra"}
        self._slots: list[DataProperty | None] = []
        for column in self._flatten.columns:
            name = column.name.replace(".", "_")
            if IDENTIFIER.match(name) and name not in taken:
                taken.add(name)
                self._slots.append(DataProperty(name=name, column=column))
            else:
                self._slots.append(None)  # its values stay in ``extra``
        self.data_properties = tuple(p for p in self._slots if p is not None)
        self.properties: dict[str, str] = {
            **dict(META_PROPERTIES),
            **{p.name: EDM[p.column.kind] for p in self.data_properties},
            "extra": "Edm.String",
        }
        # data fields to filter and sort by: property name -> dotted path into ``data``
        # (``address_city`` -> ``address.city``), and the kind its CSDL type declares
        self.data_keys = {p.name: ".".join(p.column.path) for p in self.data_properties}
        self.data_kinds = {p.name: p.column.kind for p in self.data_properties}

    def entity(self, row: EntityRow) -> dict[str, Any]:
        values, rest = self._flatten(row.data)
        doc: dict[str, Any] = {
            "guid": row.guid,
            "type": row.type,
            "entityName": row.entity_name,
            "name": row.name,
            "version": row.version,
            "createdAt": instant(row.created_at),
            "updatedAt": instant(row.updated_at),
            "memberIds": list(row.member_ids),
        }
        columns = self._flatten.columns
        for column, slot, value in zip(columns, self._slots, values, strict=True):
            if slot is None:
                if value is not None:
                    _put(rest, column.path, value)
                continue
            kind = slot.column.kind
            if value is None or _fits(kind, value):
                doc[slot.name] = json_text(value) if kind == "json" and value is not None else value
            else:
                doc[slot.name] = None
                _put(rest, slot.column.path, value)
        doc["extra"] = json_text(rest) if rest else None
        return doc


def metadata_xml(sets: Sequence[EntitySetModel]) -> str:
    types, container = [], []
    for s in sets:
        props = "".join(
            f"<Property Name={quoteattr(n)} Type={quoteattr(t)}{_NOT_NULL.get(n, '')}/>"
            for n, t in s.properties.items()
        )
        types.append(
            f"<EntityType Name={quoteattr(s.type_name)}>"
            f'<Key><PropertyRef Name="guid"/></Key>{props}</EntityType>'
        )
        qualified = quoteattr(f"{NAMESPACE}.{s.type_name}")
        container.append(f"<EntitySet Name={quoteattr(s.name)} EntityType={qualified}/>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'
        "<edmx:DataServices>"
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">'
        + "".join(types)
        + '<EntityContainer Name="Container">'
        + "".join(container)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )


def models(tables: Sequence[FormTable]) -> dict[str, EntitySetModel]:
    """Entity set name -> model, in table order; names made identifiers and unique."""
    found: dict[str, EntitySetModel] = {}
    for table in tables:
        base = name = _identifier(table.name)
        n = 1
        while name.lower() in (k.lower() for k in found):
            n += 1
            name = f"{base}_{n}"
        found[name] = EntitySetModel(table, name)
    return found
