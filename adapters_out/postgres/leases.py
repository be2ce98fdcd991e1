"""PostgreSQL leases. Two processes acquiring one free name at once: the second waits on the
first's uncommitted row, then re-checks the conflict's WHERE against it and gets no row."""

from __future__ import annotations

from datetime import datetime

from adapters_out.postgres.session import Session

_ACQUIRE = (
    "INSERT INTO leases AS l (name, holder, expires_at) VALUES (%(name)s, %(holder)s, %(until)s)"
    " ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder,"
    " expires_at = EXCLUDED.expires_at"
    " WHERE l.expires_at <= %(now)s OR l.holder = EXCLUDED.holder"
    " RETURNING holder"
)


class PgLeases:
    def __init__(self, db: Session) -> None:
        self._db = db

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        row = self._db.write(
            _ACQUIRE, {"name": name, "holder": holder, "until": until, "now": now}
        ).fetchone()
        return row is not None

    def release(self, name: str, holder: str) -> None:
        self._db.write("DELETE FROM leases WHERE name = %s AND holder = %s", (name, holder))

    def holder(self, name: str, now: datetime) -> str | None:
        row = self._db.read(
            "SELECT holder FROM leases WHERE name = %s AND expires_at > %s", (name, now)
        ).fetchone()
        return None if row is None else row[0]
