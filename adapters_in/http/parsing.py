"""Strict request parsing with cattrs: JSON bodies and query strings -> attrs values.

cattrs' default hooks *coerce* ("5" -> 5, 1 -> "1", any iterable -> list), so every scalar and
container hook here checks the exact JSON type. Field names are matched in camelCase
(``entity_guid`` <- ``entityGuid``), so application commands can be structured directly.
Two converters: ``wire`` ignores unknown keys (device payloads carry extra fields such as the
client's numeric ``id``), ``strict`` refuses them (our own admin bodies: a typo becomes a 422).
Failures become ``InvalidRequest`` (rendered by ``problems.py``) with one entry per problem.
"""

from __future__ import annotations

import collections.abc
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
import falcon
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.gen import make_dict_structure_fn, override

from domain.users import Principal

T = TypeVar("T")
_JSON_NAMES = {str: "a string", int: "an integer", bool: "a boolean", float: "a number"}


class InvalidRequest(Exception):
    """The request cannot be processed as sent; ``problems`` are ``(pointer, code, detail)``."""

    def __init__(self, status: int, title: str, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(title)
        self.status, self.title, self.problems = status, title, problems


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _exact(kind: type) -> Callable[[object, type], object]:
    def hook(value: object, _: type) -> object:
        if type(value) is not kind and not (kind is float and type(value) is int):
            raise TypeError(f"must be {_JSON_NAMES[kind]}")
        if kind is float and not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError("must be a finite number")
        if kind is str:
            try:
                value.encode("utf-8")  # type: ignore[attr-defined]
            except UnicodeEncodeError:  # lone surrogates from "\ud800" escapes
                raise ValueError("must be valid Unicode text") from None
        return float(value) if kind is float else value  # type: ignore[arg-type]

    return hook


def _is_list_like(kind: Any) -> bool:
    return get_origin(kind) in (list, tuple, collections.abc.Sequence) and (
        get_origin(kind) is not tuple or get_args(kind)[-1:] == (Ellipsis,)
    )


def _list_hook(kind: Any, conv: cattrs.Converter) -> Callable[[object, Any], object]:
    build = (
        homogenous_tuple_structure_factory(kind, conv)
        if get_origin(kind) is tuple
        else list_structure_factory(kind, conv)
    )

    def hook(value: object, kind: Any) -> object:
        if type(value) is not list:
            raise TypeError("must be an array")
        return build(value, kind)

    return hook


def _is_mapping(kind: Any) -> bool:
    return get_origin(kind) in (dict, collections.abc.Mapping) or kind in (dict, Mapping)


def _object(value: object, _: Any) -> object:
    if type(value) is not dict:
        raise TypeError("must be an object")
    return value  # JSON object values are kept as they are (Any)


def _literal_hook(kind: Any) -> Callable[[object, Any], object]:
    allowed = get_args(kind)

    def hook(value: object, _: Any) -> object:
        if not any(type(value) is type(a) and value == a for a in allowed):
            raise ValueError("must be one of " + ", ".join(map(str, allowed)))
        return value

    return hook


def make_converter(*, forbid_extra_keys: bool) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=forbid_extra_keys)
    for kind in (str, int, bool, float):
        conv.register_structure_hook(kind, _exact(kind))
    conv.register_structure_hook(Any, lambda value, _: value)
    conv.register_structure_hook_factory(_is_list_like, lambda kind: _list_hook(kind, conv))
    conv.register_structure_hook_factory(_is_mapping, lambda kind: _object)
    conv.register_structure_hook_factory(lambda k: get_origin(k) is Literal, _literal_hook)
    conv.register_structure_hook_factory(
        attrs.has,
        lambda cls: make_dict_structure_fn(
            cls, conv, **{a.name: override(rename=camel(a.name)) for a in attrs.fields(cls)}
        ),
    )
    return conv


def _pointer(path: list[str | int]) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


Problem = tuple[str, str, str]


def validation_problems(error: BaseException, path: list[str | int] | None = None) -> list[Problem]:
    """Flatten a cattrs exception group into ``(pointer, code, detail)`` tuples."""
    path = path or []
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        return [
            (_pointer([*path, key]), "unknown-field", "this field is not accepted")
            for key in sorted(error.extra_fields)
        ]
    if isinstance(error, cattrs.BaseValidationError):
        found: list[Problem] = []
        for sub in error.exceptions:
            step = [n for n in getattr(sub, "__notes__", []) if hasattr(n, "name")]
            index = [n for n in getattr(sub, "__notes__", []) if hasattr(n, "index")]
            where = [camel(step[-1].name)] if step else [index[-1].index] if index else []
            found.extend(validation_problems(sub, [*path, *where]))
        return found
    if isinstance(error, KeyError):
        return [(_pointer(path), "missing-field", "this field is required")]
    code = "invalid-type" if isinstance(error, TypeError) else "invalid-value"
    detail = str(error) if isinstance(error, TypeError | ValueError) else "is not valid"
    return [(_pointer(path), code, detail)]


def structure(conv: cattrs.Converter, value: object, cls: type[T], *, status: int = 422) -> T:
    try:
        return conv.structure(value, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        problems = validation_problems(error)
        raise InvalidRequest(status, "The request body is not valid", problems) from None


def body_object(req: falcon.Request, *, status: int = 422) -> dict[str, Any]:
    """The JSON body, which must be an object. Falcon answers bad JSON (400) and unsupported
    media types (415) itself; an empty body counts as ``{}`` so missing fields get pointers."""
    media = req.get_media(default_when_empty={})
    if type(media) is not dict:
        raise InvalidRequest(status, "The request body must be a JSON object", [])
    return media


def parse(req: falcon.Request, conv: cattrs.Converter, cls: type[T], *, status: int = 422) -> T:
    return structure(conv, body_object(req, status=status), cls, status=status)


_INT = re.compile(r"^\d{1,9}$")


def query_int(req: falcon.Request, name: str, default: int) -> int:
    raw = req.get_param(name)
    if raw is None or raw == "":
        return default
    if not _INT.match(raw):
        detail = f"'{name}' must be a non-negative integer"
        raise InvalidRequest(400, detail, [("#", "invalid-parameter", detail)])
    return int(raw)


def tenant_of(req: falcon.Request, default: str) -> str:
    """``configId`` from the JSON body, else the query, else the compat default (upstream
    order). The body is read only for JSON requests; Falcon caches it for the resource."""
    # No Content-Type means JSON to Falcon (its default media type), so the same here.
    is_json = (req.content_type or falcon.MEDIA_JSON).startswith(falcon.MEDIA_JSON)
    if req.method in ("POST", "PUT", "PATCH") and is_json:
        media = req.get_media(default_when_empty=None)
        if isinstance(media, dict) and "configId" in media:
            value = media["configId"]
            if type(value) is not str or not value:
                raise InvalidRequest(
                    422,
                    "The request body is not valid",
                    [("#/configId", "invalid-type", "must be a non-empty string")],
                )
            return value
    return req.get_param("configId") or default


def principal_of(req: falcon.Request) -> Principal:
    """The authenticated caller, set by the authentication middleware."""
    return req.context.principal
