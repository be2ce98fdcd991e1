"""What the server stores and serves must be strict JSON (RFC 8259) that every store can hold.

Python's ``json`` reads ``NaN``, ``Infinity``, ``-Infinity`` and overflowing numbers such as
``1e999`` (as ``inf``) without complaint; PostgreSQL refuses them (and a strict encoder raises),
SQLite would store them and serve text a JavaScript client cannot parse. Text with NUL or a lone
surrogate (from a ``"\\ud800"`` escape) cannot be stored as UTF-8 either, and very deep nesting
exhausts recursive code downstream. ``find_flaw`` names the first such place as a JSON pointer
with a stable code, so the caller can refuse exactly that value (one event of a batch, or one
request) and keep everything else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import attrs

# Beyond any real form (formio trees included), well below what json.dumps, the fold and the
# database drivers can recurse into.
MAX_DEPTH = 100

NON_FINITE = "non-finite-number"
INVALID_TEXT = "invalid-text"
TOO_DEEP = "too-deep"


@attrs.frozen
class Flaw:
    pointer: str  # RFC 6901, "" for the value itself
    code: str
    detail: str


def unstorable_text(text: str) -> bool:
    """NUL and lone surrogates cannot be stored as UTF-8 text."""
    if "\x00" in text:
        return True
    if text.isascii():  # O(1) in CPython, and true for nearly every field: no encode needed
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _screen(value: Any, max_depth: int) -> bool:
    """Cheap check at C speed that ``value`` certainly has no flaw (``True``) or may have one.

    ``json.dumps`` with ``allow_nan=False`` raises on every non-finite float; it escapes NUL as
    \\u0000 and every surrogate as \\udXXX; and the number of brackets in the text bounds the
    nesting depth from above. Emoji (valid pairs), a typed backslash-u or many sibling objects
    only cost the precise walk.
    """
    try:
        text = json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return False
    if "\\u0000" in text or "\\ud" in text:
        return False
    return text.count("{") + text.count("[") <= max_depth


def _flaw_of_scalar(value: Any, path: str) -> Flaw | None:
    if isinstance(value, float) and not math.isfinite(value):
        return Flaw(path, NON_FINITE, "numbers must be finite (no NaN, Infinity or overflow)")
    if isinstance(value, str) and unstorable_text(value):
        return Flaw(path, INVALID_TEXT, "text must be valid Unicode without NUL characters")
    return None


def find_flaw(value: Any, *, max_depth: int = MAX_DEPTH, pointer: str = "") -> Flaw | None:
    """The first place in ``value`` that must not be stored or served, or ``None``.

    Depth counts containers: ``{}`` is 1, ``{"a": []}`` is 2. Iterative, so a value nested
    thousands of levels deep is judged without exhausting the stack.
    """
    if _screen(value, max_depth):
        return None
    stack: list[tuple[Any, str, int]] = [(value, pointer, 1)]
    while stack:
        current, path, level = stack.pop()
        if isinstance(current, Mapping | list) and level > max_depth:
            return Flaw(path, TOO_DEEP, f"values may be nested at most {max_depth} levels deep")
        if isinstance(current, Mapping):
            for key, item in current.items():
                key_text = str(key)
                if unstorable_text(key_text):
                    return Flaw(
                        path, INVALID_TEXT, "keys must be valid Unicode without NUL characters"
                    )
                stack.append((item, f"{path}/{_escape(key_text)}", level + 1))
        elif isinstance(current, list):
            stack.extend((item, f"{path}/{i}", level + 1) for i, item in enumerate(current))
        else:
            flaw = _flaw_of_scalar(current, path)
            if flaw is not None:
                return flaw
    return None


def storable_copy(value: Any) -> Any:
    """The same value with its flaws replaced (bad text, non-finite numbers as their name),
    to keep it as evidence in a quarantine. Iterative for the same reason as ``find_flaw``;
    containers deeper than ``MAX_DEPTH`` are replaced by a marker string."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 1)]
    while stack:
        current, parent, slot, level = stack.pop()
        if isinstance(current, Mapping | list) and level > MAX_DEPTH:
            parent[slot] = "<nested too deeply>"
        elif isinstance(current, Mapping):
            out: dict[str, Any] = {}
            parent[slot] = out
            for key, item in current.items():
                clean_key = _clean_text(str(key))
                out[clean_key] = None
                stack.append((item, out, clean_key, level + 1))
        elif isinstance(current, list):
            items: list[Any] = [None] * len(current)
            parent[slot] = items
            stack.extend((item, items, i, level + 1) for i, item in enumerate(current))
        elif isinstance(current, float) and not math.isfinite(current):
            parent[slot] = repr(current).replace("inf", "Infinity").replace("nan", "NaN")
        elif isinstance(current, str):
            parent[slot] = _clean_text(current)
        else:
            parent[slot] = current
    return root[0]


def _clean_text(text: str) -> str:
    if not unstorable_text(text):
        return text
    cleaned = text.replace("\x00", "\ufffd")
    return cleaned.encode("utf-8", "replace").decode("utf-8")
