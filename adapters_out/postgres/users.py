"""PostgreSQL user accounts (they span tenants)."""

from __future__ import annotations

from typing import Any

import attrs
from psycopg import errors as pg_errors

from adapters_out.postgres.session import Session
from domain.errors import AlreadyExists
from domain.users import ADMIN, User

_SELECT_USER = (
    "SELECT id, email, password_hash, role, tenants, disabled, created_at, updated_at FROM users"
)


def _user(row: Any) -> User:
    return User(
        id=row[0],
        email=row[1],
        password_hash=row[2],
        role=row[3],
        tenants=tuple(row[4]),
        disabled=row[5],
        created_at=row[6],
        updated_at=row[7],
    )


def _email_taken(email: str) -> AlreadyExists:
    return AlreadyExists(f"a user with email {email} already exists", code="email-taken")


class PgUsers:
    def __init__(self, db: Session) -> None:
        self._db = db

    def get(self, user_id: int) -> User | None:
        row = self._db.read(_SELECT_USER + " WHERE id = %s", (user_id,)).fetchone()
        return None if row is None else _user(row)

    def get_by_email(self, email: str) -> User | None:
        row = self._db.read(_SELECT_USER + " WHERE lower(email) = lower(%s)", (email,)).fetchone()
        return None if row is None else _user(row)

    def list(self) -> list[User]:
        rows = self._db.read(_SELECT_USER + " ORDER BY id").fetchall()
        return [_user(r) for r in rows]

    def add(self, user: User) -> User:
        row = self._db.write(
            "INSERT INTO users (email, password_hash, role, tenants, disabled, created_at,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
            (
                user.email,
                user.password_hash,
                user.role,
                list(user.tenants),
                user.disabled,
                user.created_at,
                user.updated_at,
            ),
        ).fetchone()
        if row is None:
            raise _email_taken(user.email)
        return attrs.evolve(user, id=row[0])

    def update(self, user: User) -> None:
        try:
            # A savepoint, so that a taken email leaves the unit of work usable.
            with self._db.savepoint():
                self._db.write(
                    "UPDATE users SET email = %s, password_hash = %s, role = %s, tenants = %s,"
                    " disabled = %s, created_at = %s, updated_at = %s WHERE id = %s",
                    (
                        user.email,
                        user.password_hash,
                        user.role,
                        list(user.tenants),
                        user.disabled,
                        user.created_at,
                        user.updated_at,
                        user.id,
                    ),
                )
        except pg_errors.UniqueViolation as error:
            raise _email_taken(user.email) from error

    def delete(self, user_id: int) -> bool:
        row = self._db.write("DELETE FROM users WHERE id = %s RETURNING id", (user_id,)).fetchone()
        return row is not None

    def count_admins(self, *, lock: bool = False) -> int:
        if lock:  # re-checked after a concurrent demotion commits (READ COMMITTED re-evaluation)
            rows = self._db.write(
                "SELECT id FROM users WHERE role = %s AND NOT disabled FOR UPDATE", (ADMIN,)
            ).fetchall()
            return len(rows)
        row = self._db.read(
            "SELECT count(*) FROM users WHERE role = %s AND NOT disabled", (ADMIN,)
        ).fetchone()
        return row[0] if row else 0
