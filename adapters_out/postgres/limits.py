"""Rate limits in an UNLOGGED PostgreSQL table, shared by every worker and host.

One UPSERT per request on a pooled autocommit connection (no transaction around it): the row
lock serialises concurrent hits on one key, and the conflict's WHERE is re-checked against the
committed row, so the budget is exact however many processes count. UNLOGGED: no WAL, so it
is cheap, not replicated, and emptied after a crash - which only forgets some counting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

_HIT = (
    "INSERT INTO rate_limits AS r (key, tat) VALUES (%(key)s, %(now)s + %(interval)s)"
    " ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, %(now)s) + %(interval)s"
    " WHERE greatest(r.tat, %(now)s) + %(interval)s - %(now)s <= %(period)s"
    " RETURNING tat"
)


class Connections(Protocol):
    def connection(self) -> AbstractContextManager[Any]: ...


class PgRateLimits:
    def __init__(self, database: Connections, now: Callable[[], float] = time.time) -> None:
        self._db, self._now = database, now

    def hit(self, key: str, limit: int, period_s: float) -> float:
        now, interval = self._now(), period_s / limit
        params = {"key": key, "now": now, "interval": interval, "period": period_s}
        with self._db.connection() as conn:
            if conn.execute(_HIT, params, prepare=True).fetchone() is not None:
                return 0.0
            row = conn.execute("SELECT tat FROM rate_limits WHERE key = %s", (key,)).fetchone()
        if row is None:
            return 1e-3
        return max(1e-3, max(row[0], now) + interval - now - period_s)  # refused: never 0

    def refund(self, key: str, limit: int, period_s: float) -> None:
        with self._db.connection() as conn:
            conn.execute(
                "UPDATE rate_limits SET tat = tat - %s WHERE key = %s", (period_s / limit, key)
            )

    def reset(self, key: str) -> None:
        with self._db.connection() as conn:
            conn.execute("DELETE FROM rate_limits WHERE key = %s", (key,))

    def purge_expired(self, now: datetime) -> int:
        with self._db.connection() as conn:
            cursor = conn.execute("DELETE FROM rate_limits WHERE tat <= %s", (now.timestamp(),))
            return cursor.rowcount
