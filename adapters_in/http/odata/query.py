"""OData system query options of an entity-set request, checked and turned into an
``EntityScan``. ``$filter`` is parsed by odata-query's grammar into a syntax tree, and only the
subset below is accepted (everything else is a 400 with the reason), so no text from the
request ever reaches SQL: the repositories bind every value as a parameter.

Supported: comparisons (``eq ne gt ge lt le``) of ``updatedAt``/``createdAt`` (timestamps),
``version`` (integer) and ``guid`` with a literal; ``eq``/``ne`` of ``type``, ``entityName``,
``name`` and of the set's top-level form fields; ``and``, ``or``, parentheses. A literal may be
on either side.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

import attrs
from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from adapters_in.http.odata.model import EntitySetModel
from domain.timestamps import parse_instant
from ports.entity_scan import Comparison, Filter, Junction, Op

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
SUPPORTED = {"$top", "$skip", "$count", "$select", "$filter", "$skiptoken", "$format"}


class BadQuery(Exception):
    """A query option this feed does not accept: 400 (or 501 for unsupported options)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@attrs.frozen(kw_only=True)
class SetQuery:
    top: int | None
    skip: int
    after: str | None  # from $skiptoken
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


def encode_token(guid: str) -> str:
    return base64.urlsafe_b64encode(guid.encode()).decode().rstrip("=")


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,2000}$")


def _decode_token(token: str) -> str:
    try:
        if _TOKEN.match(token):
            guid = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            if guid:
                return guid
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadQuery("$skiptoken is not one this service issued")


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
    token = params.get("$skiptoken")
    return SetQuery(
        top=_integer(params, "$top"),
        skip=_integer(params, "$skip") or 0,
        after=_decode_token(token) if token else None,
        count=count_text == "true",
        select=select,
        filter=parse_filter(params.get("$filter"), model),
    )


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
