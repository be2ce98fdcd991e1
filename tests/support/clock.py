"""Deterministic clock and ids for tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta


class SteppingClock:
    """Starts at ``start`` and moves ``step`` forward on every reading."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(seconds=1)):
        self.current = start or datetime(2025, 1, 1, tzinfo=UTC)
        self.step = step

    def now(self) -> datetime:
        self.current += self.step
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class CountingIds:
    def __init__(self, prefix: str = "id") -> None:
        self._counter = itertools.count(1)
        self._prefix = prefix

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._counter):08d}"
