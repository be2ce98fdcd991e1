"""Rate limits in their own SQLite file (``DATA_DIR/limits.sqlite3``), shared by the workers
of one host in embedded mode. Each ``hit`` is one UPSERT statement: atomic under SQLite's
write lock, so two workers never both take the last request of a budget. The state is
disposable (a lost update after a power cut only forgets some counting), so the file runs
with ``synchronous=OFF`` and stays out of the main database and its backups."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from adapters_out.sqlite.connections import translated

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, tat REAL NOT NULL) WITHOUT ROWID"
)
# Allowed: insert, or move the key's tat on by one interval from max(tat, now). Refused (the
# WHERE of the conflict is false): no row comes back and nothing changes.
PURGE_EVERY = 10_000  # hits of one process between two purges of refilled keys

_HIT = (
    "INSERT INTO rate_limits (key, tat) VALUES (:key, :now + :interval)"
    " ON CONFLICT (key) DO UPDATE SET tat = max(tat, :now) + :interval"
    " WHERE max(tat, :now) + :interval - :now <= :period"
    " RETURNING tat"
)


class SqliteRateLimits:
    def __init__(
        self, path: str | Path, busy_timeout_ms: int = 5000, now: Callable[[], float] = time.time
    ) -> None:
        self.path, self._busy_ms, self._now = Path(path), busy_timeout_ms, now
        self._local = threading.local()
        self._created = False
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._hits = 0

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.exists():
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_ms / 1000,
                isolation_level=None,  # autocommit: every statement is its own transaction
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            if not self._created:
                conn.execute(_SCHEMA)
                self._created = True
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def hit(self, key: str, limit: int, period_s: float) -> float:
        now, interval = self._now(), period_s / limit
        self._hits += 1  # not exact across threads, and need not be
        if self._hits % PURGE_EVERY == 0:  # this file is outside the retention job's reach
            with translated():
                self._conn().execute("DELETE FROM rate_limits WHERE tat <= ?", (now,))
        params = {"key": key, "now": now, "interval": interval, "period": period_s}
        with translated():
            conn = self._conn()
            if conn.execute(_HIT, params).fetchone() is not None:
                return 0.0
            row = conn.execute("SELECT tat FROM rate_limits WHERE key = ?", (key,)).fetchone()
        if row is None:  # purged in between: the budget is full again
            return 0.0
        return max(1e-3, max(row[0], now) + interval - now - period_s)  # refused: never 0

    def refund(self, key: str, limit: int, period_s: float) -> None:
        with translated():
            self._conn().execute(
                "UPDATE rate_limits SET tat = tat - ? WHERE key = ?", (period_s / limit, key)
            )

    def reset(self, key: str) -> None:
        with translated():
            self._conn().execute("DELETE FROM rate_limits WHERE key = ?", (key,))

    def purge_expired(self, now: datetime) -> int:
        with translated():
            cursor = self._conn().execute(
                "DELETE FROM rate_limits WHERE tat <= ?", (now.timestamp(),)
            )
        return cursor.rowcount

    def close(self) -> None:
        """Close every thread's connection (call when no thread uses the store any more)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()
