"""SQLite refresh tokens (the unit of work's write lock makes ``use`` exclusive)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters_out.sqlite.codec import from_text, from_text_or_none, to_text
from ports.records import RefreshToken

_COLUMNS = "token_hash, family_id, user_id, version, issued_at, expires_at, used_at, revoked_at"


def _token(row: sqlite3.Row) -> RefreshToken:
    return RefreshToken(
        token_hash=row[0],
        family_id=row[1],
        user_id=row[2],
        version=row[3],
        issued_at=from_text(row[4]),
        expires_at=from_text(row[5]),
        used_at=from_text_or_none(row[6]),
        revoked_at=from_text_or_none(row[7]),
    )


class SqliteRefreshTokens:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, token: RefreshToken) -> None:
        self._conn.execute(
            f"INSERT INTO refresh_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                token.token_hash,
                token.family_id,
                token.user_id,
                token.version,
                to_text(token.issued_at),
                to_text(token.expires_at),
                None if token.used_at is None else to_text(token.used_at),
                None if token.revoked_at is None else to_text(token.revoked_at),
            ),
        )

    def get(self, token_hash: str) -> RefreshToken | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM refresh_tokens WHERE token_hash = ?",  # noqa: S608
            (token_hash,),
        ).fetchone()
        return None if row is None else _token(row)

    def use(self, token_hash: str, at: datetime) -> bool:
        cursor = self._conn.execute(
            "UPDATE refresh_tokens SET used_at = ?"
            " WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL",
            (to_text(at), token_hash),
        )
        return cursor.rowcount == 1

    def session_active(self, family_id: str, now: datetime) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NULL"
            " AND expires_at > ? LIMIT 1",
            (family_id, to_text(now)),
        ).fetchone()
        return row is not None

    def revoke_family(self, family_id: str, at: datetime) -> int:
        return self._conn.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            (to_text(at), family_id),
        ).rowcount

    def revoke_user(self, user_id: int, at: datetime) -> int:
        return self._conn.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (to_text(at), user_id),
        ).rowcount

    def purge_expired(self, now: datetime) -> int:
        moment = to_text(now)
        return self._conn.execute(
            "DELETE FROM refresh_tokens WHERE expires_at <= ? OR revoked_at <= ?",
            (moment, moment),
        ).rowcount
