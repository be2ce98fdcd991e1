"""The cattrs converter for request bodies: exact JSON types, camelCase names, JSON pointers.

cattrs' default hooks *coerce* ("5" -> 5, 1 -> "1", any iterable -> list), so every scalar and
container hook here checks the exact JSON type. Field names are matched in camelCase
(``entity_guid`` <- ``entityGuid``), so application commands can be structured directly.
``make_converter(forbid_extra_keys=False)`` is for device payloads (they carry extra fields
such as the client's numeric ``id``); ``True`` is for our own admin bodies (a typo -> 422).
"""

from __future__ import annotations

import collections.abc
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.gen import make_dict_structure_fn, override

_JSON_NAMES = {str: "a string", int: "an integer", bool: "a boolean", float: "a number"}


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
            if "\x00" in value:  # type: ignore[operator]  # PostgreSQL text refuses NUL
                raise ValueError("must not contain NUL characters")
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
