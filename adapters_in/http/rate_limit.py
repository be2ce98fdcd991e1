"""Request rate limits and login throttling over the shared ``RateLimits`` store.

The store is shared by every worker (and, on PostgreSQL, every host), so the limits are exact:
N workers do not get N times the budget. Keys are hashed before they reach the store, so it
never holds an email address or an IP address.
"""

from __future__ import annotations

import contextlib
import hashlib
import math

import falcon
import structlog

from domain.errors import TooManyAttempts
from domain.users import normalise_email
from ports.errors import StorageUnavailable
from ports.limits import RateLimits


def limit_key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()
    return f"{kind}:{digest[:32]}"


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


def checked_hit(store: RateLimits, key: str, limit: int, period_s: float) -> float:
    """``store.hit``, failing open: when the database is away the request goes on (it will get
    its 503 from the database work it came for, and /health stays reachable)."""
    try:
        return store.hit(key, limit, period_s)
    except StorageUnavailable:
        structlog.get_logger("http.limits").warning("rate limit store unavailable")
        return 0.0


class LoginThrottle:
    """Guessing is limited, a team's logins are not:

    - per (email, client IP): ``per_email`` failed attempts per window. Someone guessing from
      another address uses up *their* budget for that email, never the owner's, so nobody can
      lock a user out.
    - per client IP: ``per_ip`` failed attempts per window, whatever the emails. A success
      gives its attempt back, so 30 devices behind one NAT logging in correctly all pass.

    Each attempt is counted *before* the password check (atomically, in the shared store) and
    given back when it succeeds, so concurrent guesses cannot overshoot. Unknown emails are
    counted exactly like known ones, so the throttle reveals nothing."""

    def __init__(self, store: RateLimits, per_email: int, per_ip: int, window_s: float) -> None:
        self._store, self._window = store, window_s
        self._per_email, self._per_ip = per_email, per_ip

    def _keys(self, email: str, ip: str) -> tuple[str, str]:
        return limit_key("login-email-ip", normalise_email(email), ip), limit_key("login-ip", ip)

    def before_attempt(self, email: str, ip: str) -> None:
        pair_key, ip_key = self._keys(email, ip)
        wait = checked_hit(self._store, ip_key, self._per_ip, self._window) if self._per_ip else 0
        if not wait and self._per_email:
            wait = checked_hit(self._store, pair_key, self._per_email, self._window)
            if wait and self._per_ip:
                self._give_back(ip_key, self._per_ip)
        if wait:
            raise TooManyAttempts(
                "Too many login attempts; try again later", retry_after_s=math.ceil(wait)
            )

    def succeeded(self, email: str, ip: str) -> None:
        pair_key, ip_key = self._keys(email, ip)
        if self._per_ip:
            self._give_back(ip_key, self._per_ip)
        if self._per_email:
            with contextlib.suppress(StorageUnavailable):
                self._store.reset(pair_key)

    def _give_back(self, key: str, limit: int) -> None:
        with contextlib.suppress(StorageUnavailable):
            self._store.refund(key, limit, self._window)
