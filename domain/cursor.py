"""Feed cursors: opaque, versioned, URL-safe tokens naming a position in one tenant's feed.

The legacy client passes ``nextCursor`` back as ``since`` without URL-encoding it, so a cursor
uses only ``[A-Za-z0-9_-]`` and starts with a letter: it can never be mistaken for a timestamp.
The tenant and the position are bound in with an HMAC keyed from a server secret (see
``CursorCodec.from_secret``), so a cursor cannot be forged, nor carried to another tenant or to
another server; a position beyond what any store holds (2^63 - 1) is refused too. Tokens of the
older, unkeyed version (``c1_``) are refused: the device starts a fresh pull.

**After a restore from backup** the feed continues from the restored head R, so positions above R
are numbered again, by other events. A cursor handed out before the restore may point above R:
trusted as is, it would skip the new events up to its position. So the tag also binds the
tenant's *restore epoch* (how many restores its feed has been through, 0 at first). A cursor of
an earlier epoch resumes at ``min(position, R)`` for every restore since it was issued: the
device receives again what followed the snapshot, never misses anything, and the client ignores
events it holds.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

import attrs

from domain.errors import DomainError

_VERSION = "c2"
_PATTERN = re.compile(r"^c2_([0-9a-z]{1,13})_([0-9a-f]{32})$")
MAX_POSITION = 2**63 - 1  # a signed 64-bit integer, the widest feed position any store keeps


class InvalidCursor(DomainError):
    code = "invalid-cursor"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def looks_like_cursor(text: str) -> bool:
    return text[:1].isalpha()


@attrs.frozen
class CursorCodec:
    """Signs and checks cursors with one server-wide key (HMAC-SHA256, 128-bit tags)."""

    key: bytes = attrs.field(repr=False)

    @classmethod
    def from_secret(cls, secret: str) -> CursorCodec:
        """A key of its own derived from a server secret, so a cursor tag never doubles as
        anything signed with the secret itself (tokens)."""
        derived = hmac.new(secret.encode(), b"datacollect/feed-cursors/v2", hashlib.sha256)
        return cls(derived.digest())

    def tag(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def matches(self, tag: str, *parts: str) -> bool:
        return hmac.compare_digest(self.tag(*parts), tag)

    def _feed_tag(self, tenant_id: str, position: int, epoch: int) -> str:
        parts = ("feed", tenant_id, str(position)) + ((str(epoch),) if epoch else ())
        return self.tag(*parts)

    def encode(self, tenant_id: str, position: int, epoch: int = 0) -> str:
        """``epoch``: how many restores the tenant's feed has been through (``len(restores)``)."""
        if not 0 <= position <= MAX_POSITION:
            raise ValueError("feed positions are between 0 and 2^63 - 1")
        return f"{_VERSION}_{_base36(position)}_{self._feed_tag(tenant_id, position, epoch)}"

    def decode(self, tenant_id: str, token: str, restores: Sequence[int] = ()) -> int:
        """The position to resume after. ``restores``: the feed head each restore of this
        tenant restored, oldest first (empty when it was never restored)."""
        match = _PATTERN.match(token)
        if match is None:
            raise InvalidCursor("the cursor is malformed or from an older server version")
        position = int(match.group(1), 36)
        if position <= MAX_POSITION:
            for epoch in range(len(restores), -1, -1):  # the current epoch first: the usual case
                if hmac.compare_digest(self._feed_tag(tenant_id, position, epoch), match.group(2)):
                    return min([position, *restores[epoch:]])
        raise InvalidCursor("the cursor was not issued by this server for this configuration")
