"""OData system query options of an entity-set request, checked and turned into an
``EntityScan``. ``$filter`` is parsed by odata-query's grammar into a syntax tree, and only the
subset below is accepted (everything else is a 400 with the reason), so no text from the
request ever reaches SQL: the repositories bind every value as a parameter.

Supported: comparisons (``eq ne gt ge lt le``) of ``updatedAt``/``createdAt`` (timestamps),
``version`` (integer) and ``guid`` with a literal; ``eq``/``ne`` of ``type``, ``entityName``,
``name`` and of the set's form fields, nested ones by the flat name the CSDL declares
(``address_city``); ``and``, ``or``, parentheses. A literal may be on either side.

``$orderby``: one property, ``asc`` or ``desc``: ``updatedAt``, ``createdAt``, ``type``,
``name``, ``version``, ``guid`` or a form field that is a string, number or boolean; ``guid``
breaks ties. ``$skiptoken`` is where the previous page ended: the last guid and, when sorted,
its sort key and the order it belongs to (a token is refused under another ``$orderby``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from adapters_in.http.odata.model import EntitySetModel
from domain.timestamps import parse_instant
from ports.entity_scan import TIME_FIELDS, Comparison, Filter, Junction, Op, Order, Scalar

MAX_FILTER = 2_000
_INT = re.compile(r"^[0-9]{1,9}$")
_OPS: dict[type, Op] = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.Lt: "lt",
    ast.LtE: "le",
}
_MIRROR: dict[Op, Op] = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
SUPPORTED = {
    "$top",
    "$skip",
    "$count",
    "$select",
    "$filter",
    "$orderby",
    "$skiptoken",
    "$format",
}
_ORDER_ITEM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$", re.IGNORECASE)
_META_SORTS = ("guid", "type", "name", "version", "createdAt", "updatedAt")


class BadQuery(Exception):
    """A query option this feed does not accept: 400 (or 501 for unsupported options)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@attrs.frozen(kw_only=True)
class SetQuery:
    top: int | None
    skip: int
    after: str | None  # from $skiptoken: the last guid of the previous page
    after_value: Scalar  # and its sort key (with ``order``)
    order: Order | None  # from $orderby
    count: bool
    select: tuple[str, ...] | None
    filter: Filter | None


def _integer(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not _INT.match(raw):
        raise BadQuery(f"{name} must be a non-negative integer")
    return int(raw)


def order_text(order: Order | None) -> str:
    return "" if order is None else f"{order.field} {'desc' if order.descending else 'asc'}"


def encode_token(guid: str, order: Order | None = None, value: Scalar = None) -> str:
    """Where a page ended: its last guid, plus under ``$orderby`` that entity's sort key."""
    if isinstance(value, datetime):
        value = value.isoformat()
    position = [guid] if order is None else [guid, value, order_text(order)]
    text = json.dumps(position, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,2000}$")


def _decode_token(token: str, order: Order | None) -> tuple[str, Scalar]:
    try:
        if _TOKEN.match(token):
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            position = json.loads(text)
            if order is None and _is_guid_list(position, 1):
                return position[0], None
            if order is not None and _is_guid_list(position, 3):
                guid, value, spoken = position
                if spoken == order_text(order) and _fits_order(order, value):
                    if order.field in TIME_FIELDS and not order.in_data:
                        value = parse_instant(value)
                    return guid, value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadQuery("$skiptoken is not one this service issued for this $orderby")


def _is_guid_list(position: Any, length: int) -> bool:
    return (
        isinstance(position, list)
        and len(position) == length
        and isinstance(position[0], str)
        and position[0] != ""
    )


def _fits_order(order: Order, value: Any) -> bool:
    if order.in_data and value is None:
        return True
    if order.field == "version" or (order.in_data and order.kind == "number"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if order.in_data and order.kind == "boolean":
        return isinstance(value, bool)
    if order.field in TIME_FIELDS and not order.in_data:
        return isinstance(value, str) and parse_instant(value) is not None
    return isinstance(value, str)


def parse_order(text: str | None, model: EntitySetModel) -> Order | None:
    if text is None or not text.strip():
        return None
    if "," in text:
        raise BadQuery("$orderby takes one property (ties are broken by guid)")
    found = _ORDER_ITEM.match(text)
    if found is None:
        raise BadQuery("$orderby must be a property name, optionally followed by asc or desc")
    name, descending = found.group(1), (found.group(2) or "").lower() == "desc"
    if name in model.data_keys:
        kind = model.data_kinds[name]
        if kind == "json":
            raise BadQuery(f"$orderby: {name!r} holds structured values and cannot be sorted")
        try:
            return Order(
                field=model.data_keys[name], descending=descending, in_data=True, kind=kind
            )
        except ValueError as error:  # a form key that is not an identifier
            raise BadQuery(f"$orderby: {error}") from None
    if name in _META_SORTS:
        return Order(field=name, descending=descending)
    raise BadQuery(
        f"$orderby: {name!r} cannot be sorted by (a form field, or one of {', '.join(_META_SORTS)})"
    )


def parse_query(params: Mapping[str, str], model: EntitySetModel) -> SetQuery:
    unknown = sorted(k for k in params if k.startswith("$") and k not in SUPPORTED)
    if unknown:
        raise BadQuery(f"not supported by this feed: {', '.join(unknown)}", status=501)
    if params.get("$format", "json").split(";")[0].strip().lower() not in (
        "json",
        "application/json",
    ):
        raise BadQuery("only $format=json is supported")
    count_text = params.get("$count", "false").lower()
    if count_text not in ("true", "false"):
        raise BadQuery("$count must be true or false")
    select = None
    if params.get("$select") not in (None, "", "*"):
        select = tuple(s.strip() for s in params["$select"].split(","))
        wrong = [s for s in select if s not in model.properties]
        if wrong:
            raise BadQuery(f"unknown properties in $select: {', '.join(wrong)}")
    filter_ = parse_filter(params.get("$filter"), model)
    order = parse_order(params.get("$orderby"), model)
    if order is None and changed_since(filter_):
        # Excel's and Power BI's incremental refresh: in guid order a page would walk past
        # every entity the filter drops (660 ms a page at 1M); in updatedAt order it is an
        # index range. Its nextLink tokens carry this order like an explicit one.
        order = Order(field="updatedAt")
    token = params.get("$skiptoken")
    after, after_value = _decode_token(token, order) if token else (None, None)
    return SetQuery(
        top=_integer(params, "$top"),
        skip=_integer(params, "$skip") or 0,
        after=after,
        after_value=after_value,
        order=order,
        count=count_text == "true",
        select=select,
        filter=filter_,
    )


def changed_since(filter_: Filter | None) -> bool:
    """A lower bound on ``updatedAt``, alone or in a top-level ``and``: "what changed since"."""
    if isinstance(filter_, Comparison):
        return filter_.field == "updatedAt" and not filter_.in_data and filter_.op in ("gt", "ge")
    if isinstance(filter_, Junction) and filter_.kind == "and":
        return any(changed_since(part) for part in filter_.parts)
    return False


def parse_filter(text: str | None, model: EntitySetModel) -> Filter | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_FILTER:
        raise BadQuery(f"$filter is longer than {MAX_FILTER} characters")
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except ODataException as error:
        raise BadQuery(f"$filter: {error}") from None
    return _convert(tree, model)


def _literal(node: Any) -> Any:
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.String):
        return node.val
    if isinstance(node, ast.Integer):
        return int(node.val)
    if isinstance(node, ast.Float):
        return float(node.val)
    if isinstance(node, ast.Boolean):
        return node.val.lower() == "true"
    if isinstance(node, ast.DateTime):
        instant = parse_instant(node.val)
        if instant is None:
            raise BadQuery(f"$filter: {node.val!r} is not a timestamp with a time zone")
        return instant
    raise BadQuery(f"$filter: unsupported literal {type(node).__name__}")


def _comparison(node: ast.Compare, model: EntitySetModel) -> Comparison:
    op = _OPS.get(type(node.comparator))
    if op is None:
        raise BadQuery("$filter: only eq, ne, gt, ge, lt and le comparisons are supported")
    left, right = node.left, node.right
    if not isinstance(left, ast.Identifier):
        left, right, op = right, left, _MIRROR[op]
    if not isinstance(left, ast.Identifier) or left.namespace:
        raise BadQuery("$filter: compare a property with a literal value")
    value, name = _literal(right), left.name
    try:
        if name in model.data_keys:
            return Comparison(field=model.data_keys[name], op=op, value=value, in_data=True)
        if name in model.properties and name not in ("memberIds", "extra"):
            return Comparison(field=name, op=op, value=value)
    except ValueError as error:
        raise BadQuery(f"$filter: {error}") from None
    raise BadQuery(f"$filter: {name!r} cannot be filtered on (a top-level form field or metadata)")


def _convert(node: Any, model: EntitySetModel) -> Filter:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, (ast.And, ast.Or)):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return Junction(kind=kind, parts=(_convert(node.left, model), _convert(node.right, model)))
    if isinstance(node, ast.Compare):
        return _comparison(node, model)
    raise BadQuery("$filter: only comparisons joined with and/or are supported")
