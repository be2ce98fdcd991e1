"""User accounts: login, the initial admin, and admin-managed CRUD."""

from __future__ import annotations

import attrs

from application.sessions import LoginResult, SessionTokens
from domain.errors import NotFound, Unauthenticated
from domain.users import (
    ADMIN,
    Principal,
    User,
    check_password,
    credential_version,
    normalise_email,
    numeric_id,
)
from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory
from ports.security import PasswordHasher

__all__ = ["LOGIN_FAILED", "CurrentUser", "EnsureInitialAdmin", "Login", "LoginResult"]

LOGIN_FAILED = "Invalid email or password"


class Login:
    """Check the password (outside any transaction: bcrypt is slow), then start a session."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        hasher: PasswordHasher,
        sessions: SessionTokens,
        clock: Clock,
    ) -> None:
        self._uow_factory, self._hasher = uow_factory, hasher
        self._sessions, self._clock = sessions, clock

    def __call__(self, email: str, password: str) -> LoginResult:
        with self._uow_factory(read_only=True) as uow:
            user = uow.users.get_by_email(normalise_email(email))
        if user is None or user.disabled:
            self._hasher.waste_time(password)  # same cost as a real check: no enumeration
            raise Unauthenticated(LOGIN_FAILED, code="invalid-credentials")
        if not self._hasher.verify(password, user.password_hash):
            raise Unauthenticated(LOGIN_FAILED, code="invalid-credentials")
        with self._uow_factory() as uow:
            result = self._sessions.issue(uow, user, self._sessions.new_family(), self._clock.now())
            uow.commit()
        return result


class CurrentUser:
    """Resolve a verified token subject to a live account (deleted users lose access)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory, self._clock = uow_factory, clock

    def __call__(
        self, user_id: str, version: str | None = None, session_id: str | None = None
    ) -> Principal:
        """``version`` is the token's ``ver``: a token issued before the user's password or role
        changed is refused. ``session_id`` is its ``sid``: a token of a session that was logged
        out, or revoked because its refresh token was reused, is refused too. (Tokens without
        them predate these checks and are accepted until they expire.)"""
        number = numeric_id(user_id)
        if number is None:
            raise Unauthenticated("Invalid token", code="invalid-token")
        with self._uow_factory(read_only=True) as uow:
            user = uow.users.get(number)
            if user is None or user.disabled:
                raise Unauthenticated("Invalid token", code="invalid-token")
            if version is not None and version != credential_version(user):
                raise Unauthenticated("Invalid token", code="invalid-token")
            if session_id is not None and not uow.refresh_tokens.session_active(
                session_id, self._clock.now()
            ):
                raise Unauthenticated("Invalid token", code="invalid-token")
        return Principal(
            user_id=str(user.id), email=user.email, role=user.role, tenants=user.tenants
        )

    def user(self, principal: Principal) -> User:
        number = numeric_id(principal.user_id)
        with self._uow_factory(read_only=True) as uow:
            user = uow.users.get(number) if number is not None else None
        if user is None:
            raise NotFound("User not found", code="user-not-found")
        return user


class EnsureInitialAdmin:
    """On first start, create the configured admin when no admin exists yet."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow_factory, self._hasher, self._clock = uow_factory, hasher, clock

    def __call__(self, email: str, password: str) -> User | None:
        check_password(password)
        with self._uow_factory() as uow:
            if uow.users.count_admins() > 0:
                return None
            now = self._clock.now()
            existing = uow.users.get_by_email(normalise_email(email))
            if existing is not None:
                promoted = attrs.evolve(existing, role=ADMIN, updated_at=now)
                uow.users.update(promoted)
                uow.commit()
                return promoted
            created = uow.users.add(
                User(
                    id=0,
                    email=normalise_email(email),
                    password_hash=self._hasher.hash(password),
                    role=ADMIN,
                    tenants=("*",),
                    created_at=now,
                    updated_at=now,
                )
            )
            uow.commit()
            return created
