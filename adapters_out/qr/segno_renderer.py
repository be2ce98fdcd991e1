"""QR codes with segno (pure Python, no image library needed for PNG)."""

from __future__ import annotations

import io

import segno


class SegnoQrRenderer:
    def __init__(self, scale: int = 8, border: int = 4, error: str = "m") -> None:
        self._scale, self._border, self._error = scale, border, error

    def png(self, text: str) -> bytes:
        # Never a Micro QR: phone scanners often cannot read them.
        code = segno.make(text, error=self._error, micro=False)
        out = io.BytesIO()
        code.save(out, kind="png", scale=self._scale, border=self._border)
        return out.getvalue()
