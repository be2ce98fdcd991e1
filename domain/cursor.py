"""Feed cursors: opaque, versioned, URL-safe tokens naming a position in one tenant's feed.

The legacy client passes ``nextCursor`` back as ``since`` without URL-encoding it, so a cursor
uses only ``[A-Za-z0-9_-]`` and starts with a letter: it can never be mistaken for a timestamp.
The tenant is bound in with a checksum, so a cursor from another tenant is refused.
"""

from __future__ import annotations

import hashlib
import re

from domain.errors import DomainError

_VERSION = "c1"
_PATTERN = re.compile(r"^c1_([0-9a-z]{1,13})_([0-9a-f]{10})$")


class InvalidCursor(DomainError):
    code = "invalid-cursor"


def _check(tenant_id: str, position: int) -> str:
    return hashlib.sha256(f"{tenant_id}\x1f{position}".encode()).hexdigest()[:10]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def encode_cursor(tenant_id: str, position: int) -> str:
    if position < 0:
        raise ValueError("feed positions are never negative")
    return f"{_VERSION}_{_base36(position)}_{_check(tenant_id, position)}"


def looks_like_cursor(text: str) -> bool:
    return text[:1].isalpha()


def decode_cursor(tenant_id: str, token: str) -> int:
    match = _PATTERN.match(token)
    if match is None:
        raise InvalidCursor("the cursor is malformed")
    position = int(match.group(1), 36)
    if _check(tenant_id, position) != match.group(2):
        raise InvalidCursor("the cursor was not issued for this configuration")
    return position
