"""In-process token buckets: request rate limits and login throttling.

Kept in the worker's memory on purpose (no shared store): each gunicorn worker counts on its
own, so the effective limit is up to (workers x hosts) times the configured one. That still
stops brute force and runaway clients; exact global limits would need Redis or the database.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import falcon

from domain.errors import TooManyAttempts
from domain.users import normalise_email

MAX_KEYS = 100_000  # beyond this, full (idle) buckets are forgotten to bound memory


class TokenBuckets:
    """``capacity`` tokens per key, refilled continuously over ``period_s``."""

    def __init__(
        self, capacity: int, period_s: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._capacity, self._rate, self._now = capacity, capacity / period_s, now
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, at: float) -> float:
        tokens, last = self._buckets.get(key, (self._capacity, at))
        return min(self._capacity, tokens + (at - last) * self._rate)

    def take(self, key: str) -> float:
        """Take one token; returns 0 on success, else the seconds until one is available."""
        with self._lock:
            at = self._now()
            tokens = self._level(key, at)
            if tokens < 1:
                return (1 - tokens) / self._rate
            if len(self._buckets) >= MAX_KEYS:
                self._forget_full(at)
            self._buckets[key] = (tokens - 1, at)
            return 0.0

    def wait_for(self, key: str) -> float:
        """Like ``take`` without taking: 0 when a token is available."""
        with self._lock:
            tokens = self._level(key, self._now())
            return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def reset(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def _forget_full(self, at: float) -> None:
        self._buckets = {
            k: v for k, v in self._buckets.items() if self._level(k, at) < self._capacity
        }


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def client_ip(req: falcon.Request, trusted_proxies: int) -> str:
    """The peer address, or - behind ``trusted_proxies`` proxies that each append to
    X-Forwarded-For - the address the outermost trusted proxy saw. Values further left are
    client-controlled and never trusted."""
    if trusted_proxies > 0:
        hops = [h.strip() for h in (req.get_header("X-Forwarded-For") or "").split(",")]
        hops = [h for h in hops if h]
        if hops:
            return hops[-trusted_proxies] if len(hops) >= trusted_proxies else hops[0]
    return req.remote_addr or "unknown"


class LoginThrottle:
    """Failed logins per email, and all login attempts per IP, within a window.

    Unknown emails are counted exactly like known ones, so throttling reveals nothing."""

    def __init__(
        self,
        per_email: int,
        per_ip: int,
        window_s: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emails = TokenBuckets(per_email, window_s, now) if per_email > 0 else None
        self._ips = TokenBuckets(per_ip, window_s, now) if per_ip > 0 else None

    def before_attempt(self, email: str, ip: str) -> None:
        wait = self._ips.take(ip) if self._ips else 0.0
        if not wait and self._emails:
            wait = self._emails.wait_for(normalise_email(email))
        if wait:
            raise TooManyAttempts(
                "Too many login attempts; try again later", retry_after_s=math.ceil(wait)
            )

    def failed(self, email: str) -> None:
        if self._emails:
            self._emails.take(normalise_email(email))

    def succeeded(self, email: str) -> None:
        if self._emails:
            self._emails.reset(normalise_email(email))
