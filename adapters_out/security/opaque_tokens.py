"""Opaque random tokens (the ``OpaqueTokens`` port): 256 bits from ``secrets``."""

from __future__ import annotations

import secrets


class RandomOpaqueTokens:
    def new_token(self) -> str:
        return secrets.token_urlsafe(32)
