"""Tables for exports and the OData feed: which columns an entity form has, and an entity's
values in them.

Columns come from the form's formio definition: every input component is a column, a component
nested in a ``container`` (or any ``tree`` component that is not a grid) is a dotted column
(``address.city``), and layout components (panels, columns, tables, tabs, fieldsets, wells) only
contribute their children. Grids, select boxes, files and the like are one column holding JSON.
Whatever an entity's ``data`` holds beyond the form's columns is kept, as one JSON object, in the
trailing ``EXTRA`` column, so nothing is lost when the form and the data disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

Kind = Literal["string", "number", "boolean", "json"]
META = ("guid", "type", "entityName", "name", "version", "createdAt", "updatedAt", "deleted")
EXTRA = "extra"
OTHER = "other"  # the table of entities whose form is not (or no longer) in the configuration
MEMBERSHIPS = "memberships"
MEMBERSHIP_COLUMNS = ("groupGuid", "memberGuid", "position")

_SKIPPED = frozenset({"button", "content", "htmlelement"})
_NESTING = frozenset({"container"})
_WHOLE = frozenset({"datagrid", "editgrid", "datamap", "tree"})
_KINDS: dict[str, Kind] = {
    "number": "number",
    "currency": "number",
    "checkbox": "boolean",
    "selectboxes": "json",
    "file": "json",
    "address": "json",
    "survey": "json",
    "tags": "json",
    "datagrid": "json",
    "editgrid": "json",
    "datamap": "json",
    "tree": "json",
    "signature": "string",
}
_RESERVED = frozenset({*META, EXTRA, "entityName"})


@attrs.frozen(kw_only=True)
class Column:
    path: tuple[str, ...]  # keys into ``data``
    kind: Kind
    name: str  # dotted path; ``data.``-prefixed when it would collide with a metadata column


@attrs.frozen(kw_only=True)
class FormTable:
    name: str  # the form name (``data.entityName``), or ``OTHER``
    columns: tuple[Column, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return (*META, *(c.name for c in self.columns), EXTRA)


def _children(component: Mapping[str, Any]) -> list[Any]:
    found: list[Any] = []
    if isinstance(component.get("components"), list):
        found.extend(component["components"])
    for column in component.get("columns") or ():
        if isinstance(column, Mapping) and isinstance(column.get("components"), list):
            found.extend(column["components"])
    for row in component.get("rows") or ():
        for cell in row if isinstance(row, list) else ():
            if isinstance(cell, Mapping) and isinstance(cell.get("components"), list):
                found.extend(cell["components"])
    return found


def _walk(components: Iterable[Any], prefix: tuple[str, ...], out: list[tuple]) -> None:
    for c in components:
        if not isinstance(c, Mapping) or c.get("type") in _SKIPPED:
            continue
        kind, key, children = c.get("type"), c.get("key"), _children(c)
        keyed = isinstance(key, str) and key != ""
        if keyed and kind not in _WHOLE and (kind in _NESTING or c.get("tree") is True):
            _walk(children, (*prefix, key), out)
        elif children and kind not in _WHOLE and c.get("input") is not True:
            _walk(children, prefix, out)  # layout: panels, columns, tables, tabs, ...
        elif keyed:
            out.append(((*prefix, key), _KINDS.get(str(kind), "string")))


def form_columns(formio: object) -> tuple[Column, ...]:
    """The columns of one formio form definition, in form order, each path once."""
    found: list[tuple] = []
    if isinstance(formio, Mapping):
        _walk(formio.get("components") or (), (), found)
    columns, seen = [], set()
    for path, kind in found:
        if path in seen or path == ("entityName",):
            continue
        seen.add(path)
        dotted = ".".join(path)
        columns.append(
            Column(path=path, kind=kind, name=f"data.{dotted}" if dotted in _RESERVED else dotted)
        )
    return tuple(columns)


def form_tables(config: Mapping[str, Any]) -> tuple[FormTable, ...]:
    """One table per entity form of an app configuration, in configuration order."""
    tables = []
    for form in config.get("entityForms") or ():
        if isinstance(form, Mapping) and isinstance(form.get("name"), str) and form["name"]:
            tables.append(FormTable(name=form["name"], columns=form_columns(form.get("formio"))))
    return tuple(tables)


_MISSING = object()


def _split(data: Mapping[str, Any], tree: Mapping[str, Any], out: list[Any]) -> dict[str, Any]:
    """Append the values of ``tree``'s leaves to ``out``; return what ``tree`` does not cover.

    Hot: runs once per exported entity and container. Copying ``data`` and popping the
    covered keys is a C-level copy plus one lookup per column, about half the cost of
    building the leftovers key by key (the leftovers' order differs; they are written with
    sorted keys)."""
    rest = dict(data)
    pop = rest.pop
    for key, sub in tree.items():
        if sub is None:
            out.append(pop(key, None))
            continue
        value = rest.get(key, _MISSING)
        if type(value) is dict or isinstance(value, Mapping):
            left = _split(value, sub, out)
            if left:
                rest[key] = left
            else:
                del rest[key]
        else:  # missing, or a scalar where the form expects an object: kept as it is
            _fill(sub, out)
    return rest


def _fill(tree: Mapping[str, Any], out: list[Any]) -> None:
    for sub in tree.values():
        if sub is None:
            out.append(None)
        else:
            _fill(sub, out)


def _tree(columns: Sequence[Column]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for column in columns:
        node = tree
        for key in column.path[:-1]:
            node = node.setdefault(key, {})
            if node is None:  # a leaf and a container share a key: the leaf wins
                break
        else:
            node.setdefault(column.path[-1], None)
    return tree


class Flattener:
    """An entity's ``data`` as the values of a table's form columns, plus the leftovers.

    Leaf order must match ``columns``; ``_tree`` keeps insertion order, so columns whose paths
    interleave (``a.x``, ``b``, ``a.y``) are emitted grouped by their first key. ``columns``
    is therefore re-ordered to the tree's order here, and callers use ``self.columns``.
    """

    def __init__(self, columns: Sequence[Column]) -> None:
        self._tree = _tree(columns)
        by_path = {c.path: c for c in columns}
        order: list[tuple[str, ...]] = []
        _paths(self._tree, (), order)
        self.columns = tuple(by_path[p] for p in order)

    def __call__(self, data: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        values: list[Any] = []
        rest = _split(data, self._tree, values)
        rest.pop("entityName", None)  # already the entityName metadata column
        return values, rest


def _paths(tree: Mapping[str, Any], prefix: tuple[str, ...], out: list[tuple[str, ...]]) -> None:
    for key, sub in tree.items():
        if sub is None:
            out.append((*prefix, key))
        else:
            _paths(sub, (*prefix, key), out)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def json_text(value: Any) -> str:
    """Compact JSON with sorted keys (an encoder built once: ``json.dumps`` with options
    builds one per call)."""
    return _JSON.encode(value)
