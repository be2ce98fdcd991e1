"""SQLite users: emails unique case-insensitively (a casefolded key column)."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3

import attrs

from adapters_out.sqlite.codec import dump, from_text_or_none, load, to_text_or_none
from domain.errors import AlreadyExists
from domain.users import ADMIN, User

_USER_COLUMNS = "id, email, password_hash, role, tenants, disabled, created_at, updated_at"


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        role=row["role"],
        tenants=tuple(load(row["tenants"])),
        disabled=bool(row["disabled"]),
        created_at=from_text_or_none(row["created_at"]),
        updated_at=from_text_or_none(row["updated_at"]),
    )


def _email_taken(user: User, error: sqlite3.IntegrityError) -> AlreadyExists:
    if "users.email_key" not in str(error):
        raise error
    return AlreadyExists(f"a user with email {user.email} already exists", code="email-taken")


class SqliteUsers:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, user_id: int) -> User | None:
        sql = f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?"
        row = self._conn.execute(sql, (user_id,)).fetchone()
        return _user(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        sql = f"SELECT {_USER_COLUMNS} FROM users WHERE email_key = ?"
        row = self._conn.execute(sql, (email.casefold(),)).fetchone()
        return _user(row) if row else None

    def list(self) -> list[User]:
        rows = self._conn.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY id")
        return [_user(row) for row in rows]

    def add(self, user: User) -> User:
        try:
            row = self._conn.execute(
                "INSERT INTO users (email, email_key, password_hash, role, tenants, disabled,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                self._params(user),
            ).fetchone()
        except sqlite3.IntegrityError as error:
            raise _email_taken(user, error) from error
        return attrs.evolve(user, id=row[0])

    def update(self, user: User) -> None:
        """Replace the user with this id; an unknown id changes nothing (as PostgreSQL)."""
        try:
            self._conn.execute(
                "UPDATE users SET email = ?, email_key = ?, password_hash = ?, role = ?,"
                " tenants = ?, disabled = ?, created_at = ?, updated_at = ? WHERE id = ?",
                (*self._params(user), user.id),
            )
        except sqlite3.IntegrityError as error:
            raise _email_taken(user, error) from error

    @staticmethod
    def _params(user: User) -> tuple[object, ...]:
        return (
            user.email,
            user.email.casefold(),
            user.password_hash,
            user.role,
            dump(list(user.tenants), sort_keys=False),
            int(user.disabled),
            to_text_or_none(user.created_at),
            to_text_or_none(user.updated_at),
        )

    def delete(self, user_id: int) -> bool:
        return self._conn.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0

    def count_admins(self, *, lock: bool = False) -> int:  # BEGIN IMMEDIATE serialises
        sql = "SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0"
        return int(self._conn.execute(sql, (ADMIN,)).fetchone()[0])
