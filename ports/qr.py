"""Rendering QR codes (for the public artifact of an app configuration)."""

from __future__ import annotations

from typing import Protocol


class QrRenderer(Protocol):
    def png(self, text: str) -> bytes:
        """A PNG image of a QR code that encodes ``text``."""
        ...
