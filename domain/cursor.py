"""Feed cursors: opaque, versioned, URL-safe tokens naming a position in one tenant's feed.

The legacy client passes ``nextCursor`` back as ``since`` without URL-encoding it, so a cursor
uses only ``[A-Za-z0-9_-]`` and starts with a letter: it can never be mistaken for a timestamp.
The tenant is bound in with a checksum, so a cursor from another tenant is refused.

**After a restore from backup** the feed continues from the restored head R, so positions above R
are numbered again, by other events. A cursor handed out before the restore may point above R:
trusted as is, it would skip the new events up to its position. So the checksum also binds the
tenant's *restore epoch* (how many restores its feed has been through, 0 at first; epoch 0 keeps
the original format, so cursors issued before this existed stay valid). A cursor of an earlier
epoch resumes at ``min(position, R)`` for every restore since it was issued: the device receives
again what followed the snapshot, never misses anything, and the client ignores events it holds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from domain.errors import DomainError

_VERSION = "c1"
_PATTERN = re.compile(r"^c1_([0-9a-z]{1,13})_([0-9a-f]{10})$")


class InvalidCursor(DomainError):
    code = "invalid-cursor"


def _check(tenant_id: str, position: int, epoch: int) -> str:
    bound = f"{tenant_id}\x1f{position}" + (f"\x1f{epoch}" if epoch else "")
    return hashlib.sha256(bound.encode()).hexdigest()[:10]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def encode_cursor(tenant_id: str, position: int, epoch: int = 0) -> str:
    """``epoch``: how many restores the tenant's feed has been through (``len(restores)``)."""
    if position < 0:
        raise ValueError("feed positions are never negative")
    return f"{_VERSION}_{_base36(position)}_{_check(tenant_id, position, epoch)}"


def looks_like_cursor(text: str) -> bool:
    return text[:1].isalpha()


def decode_cursor(tenant_id: str, token: str, restores: Sequence[int] = ()) -> int:
    """The position to resume after. ``restores``: the feed head each restore of this tenant
    restored, oldest first (empty when it was never restored)."""
    match = _PATTERN.match(token)
    if match is None:
        raise InvalidCursor("the cursor is malformed")
    position = int(match.group(1), 36)
    for epoch in range(len(restores), -1, -1):  # the current epoch first: the usual case
        if _check(tenant_id, position, epoch) == match.group(2):
            return min([position, *restores[epoch:]])
    raise InvalidCursor("the cursor was not issued for this configuration")
