"""Name similarity for duplicate detection, backed by rapidfuzz (C speed; the domain only sees
a ``(str, str) -> float`` in 0..1)."""

from __future__ import annotations

from rapidfuzz import fuzz


def rapidfuzz_similarity(a: str, b: str) -> float:
    """Normalised Indel similarity, the same measure as ``difflib``'s ratio, in 0..1."""
    return fuzz.ratio(a, b) / 100.0
