"""PostgreSQL refresh tokens. Two concurrent ``use`` calls for one token: the second waits on
the first's row lock, re-checks ``used_at IS NULL`` after it commits and updates nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters_out.postgres.session import Session
from ports.records import RefreshToken

_COLUMNS = "token_hash, family_id, user_id, version, issued_at, expires_at, used_at, revoked_at"


def _token(row: Any) -> RefreshToken:
    return RefreshToken(
        token_hash=row[0],
        family_id=row[1],
        user_id=row[2],
        version=row[3],
        issued_at=row[4],
        expires_at=row[5],
        used_at=row[6],
        revoked_at=row[7],
    )


class PgRefreshTokens:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, token: RefreshToken) -> None:
        self._db.write(
            f"INSERT INTO refresh_tokens ({_COLUMNS})"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                token.token_hash,
                token.family_id,
                token.user_id,
                token.version,
                token.issued_at,
                token.expires_at,
                token.used_at,
                token.revoked_at,
            ),
        )

    def get(self, token_hash: str) -> RefreshToken | None:
        row = self._db.read(
            f"SELECT {_COLUMNS} FROM refresh_tokens WHERE token_hash = %s",  # noqa: S608
            (token_hash,),
        ).fetchone()
        return None if row is None else _token(row)

    def use(self, token_hash: str, at: datetime) -> bool:
        row = self._db.write(
            "UPDATE refresh_tokens SET used_at = %s"
            " WHERE token_hash = %s AND used_at IS NULL AND revoked_at IS NULL"
            " RETURNING token_hash",
            (at, token_hash),
        ).fetchone()
        return row is not None

    def session_active(self, family_id: str, now: datetime) -> bool:
        row = self._db.read(
            "SELECT 1 FROM refresh_tokens WHERE family_id = %s AND revoked_at IS NULL"
            " AND expires_at > %s LIMIT 1",
            (family_id, now),
        ).fetchone()
        return row is not None

    def revoke_family(self, family_id: str, at: datetime) -> int:
        return self._count(
            "UPDATE refresh_tokens SET revoked_at = %s"
            " WHERE family_id = %s AND revoked_at IS NULL RETURNING 1",
            (at, family_id),
        )

    def revoke_user(self, user_id: int, at: datetime) -> int:
        return self._count(
            "UPDATE refresh_tokens SET revoked_at = %s"
            " WHERE user_id = %s AND revoked_at IS NULL RETURNING 1",
            (at, user_id),
        )

    def purge_expired(self, now: datetime) -> int:
        return self._count(
            "DELETE FROM refresh_tokens WHERE expires_at <= %s OR revoked_at <= %s RETURNING 1",
            (now, now),
        )

    def _count(self, returning_statement: str, params: tuple[object, ...]) -> int:
        """Run a data-modifying statement and count its rows in the database (one row back)."""
        row = self._db.write(
            f"WITH changed AS ({returning_statement}) SELECT count(*) FROM changed",  # noqa: S608
            params,
        ).fetchone()
        return int(row[0]) if row else 0
