"""SQLite leases: the unit of work's write lock makes acquire atomic."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters_out.sqlite.codec import to_text

# Insert, or take over a lease that expired or is already ours; RETURNING yields no row when the
# conflict's WHERE refuses the update (someone else holds it).
_ACQUIRE = (
    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
    " expires_at = excluded.expires_at"
    " WHERE leases.expires_at <= ? OR leases.holder = excluded.holder"
    " RETURNING holder"
)


class SqliteLeases:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        row = self._conn.execute(_ACQUIRE, (name, holder, to_text(until), to_text(now))).fetchone()
        return row is not None

    def release(self, name: str, holder: str) -> None:
        self._conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    def holder(self, name: str, now: datetime) -> str | None:
        row = self._conn.execute(
            "SELECT holder FROM leases WHERE name = ? AND expires_at > ?", (name, to_text(now))
        ).fetchone()
        return None if row is None else row[0]
