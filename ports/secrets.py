"""Protecting tenant secrets at rest (external-sync credentials, IdP client secrets)."""

from __future__ import annotations

from typing import Protocol


class SecretUnavailable(Exception):
    """A stored secret cannot be read back (wrong or missing key)."""


class SecretBox(Protocol):
    """Seals secret strings before they are stored, and opens them for the server's own use.

    ``open`` must accept values stored in the clear by an earlier configuration (no key), so
    that turning encryption on never locks existing tenants out; it raises
    ``SecretUnavailable`` for a sealed value it cannot decrypt.
    """

    def seal(self, plaintext: str) -> str: ...

    def open(self, stored: str) -> str: ...
