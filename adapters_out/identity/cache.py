"""A small thread-safe TTL cache with single flight: concurrent misses on one key compute once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(
        self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max, self._clock = max_entries, clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._inflight: dict[K, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_or_compute(self, key: K, compute: Callable[[], tuple[V, float]]) -> V:
        """The cached value, else ``compute()`` -> ``(value, ttl_s)`` once for all callers
        waiting on ``key``; a ttl of 0 or less is not cached (e.g. a transient failure)."""
        found, value = self._get(key)
        if found:
            return value
        with self._lock:
            key_lock = self._inflight.setdefault(key, threading.Lock())
        try:
            with key_lock:
                found, value = self._get(key)
                if found:
                    return value
                value, ttl = compute()
                if ttl > 0:
                    self._put(key, value, ttl)
                return value
        finally:
            with self._lock:
                if self._inflight.get(key) is key_lock and not key_lock.locked():
                    del self._inflight[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _get(self, key: K) -> tuple[bool, V]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None  # type: ignore[return-value]
            if entry[0] <= self._clock():
                del self._entries[key]
                return False, None  # type: ignore[return-value]
            return True, entry[1]

    def _put(self, key: K, value: V, ttl: float) -> None:
        with self._lock:
            now = self._clock()
            if len(self._entries) >= self._max:
                self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
                while len(self._entries) >= self._max:  # still full: drop the oldest inserted
                    del self._entries[next(iter(self._entries))]
            self._entries[key] = (now + ttl, value)
