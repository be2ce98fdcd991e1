"""In-process rate limits (one worker only): the reference for the shared stores, and what the
fast HTTP tests use. GCRA: one theoretical arrival time (``tat``) per key."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

MAX_KEYS = 100_000  # beyond this, refilled keys are forgotten to bound memory


def gcra(tat: float | None, now: float, limit: int, period_s: float) -> tuple[float, float]:
    """(new tat, wait): wait 0.0 means allowed and the new tat is to be stored; otherwise the
    stored tat stays as it is. Burst: ``limit`` requests at once, then one per period/limit."""
    interval = period_s / limit
    start = now if tat is None or tat < now else tat
    new_tat = start + interval
    wait = new_tat - now - period_s
    return (new_tat, 0.0) if wait <= 0 else (start, wait)


class MemoryRateLimits:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._tats: dict[str, float] = {}
        self._lock = threading.Lock()  # gthread workers share one instance

    def hit(self, key: str, limit: int, period_s: float) -> float:
        with self._lock:
            now = self._now()
            new_tat, wait = gcra(self._tats.get(key), now, limit, period_s)
            if wait == 0.0:
                if len(self._tats) >= MAX_KEYS:
                    self._forget(now)
                self._tats[key] = new_tat
            return wait

    def refund(self, key: str, limit: int, period_s: float) -> None:
        with self._lock:
            if key in self._tats:
                self._tats[key] -= period_s / limit

    def reset(self, key: str) -> None:
        with self._lock:
            self._tats.pop(key, None)

    def purge_expired(self, now: datetime) -> int:
        with self._lock:
            return self._forget(now.timestamp())

    def _forget(self, now: float) -> int:
        before = len(self._tats)
        self._tats = {k: tat for k, tat in self._tats.items() if tat > now}
        return before - len(self._tats)
