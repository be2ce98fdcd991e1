"""Users, roles and the authenticated principal."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal

import attrs

from domain.errors import ValidationFailed

Role = Literal["ADMIN", "USER"]
ADMIN: Role = "ADMIN"
USER: Role = "USER"
ALL_TENANTS = "*"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; longer inputs would be truncated or refused


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def password_problems(password: str, pointer: str = "/password") -> list[tuple[str, str, str]]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            (
                pointer,
                "weak-password",
                f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            )
        ]
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return [
            (
                pointer,
                "password-too-long",
                f"password must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8",
            )
        ]
    return []


def check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise ValidationFailed("the password is not acceptable", problems)


@attrs.frozen(kw_only=True)
class User:
    id: int
    email: str
    password_hash: str = attrs.field(repr=False)
    role: Role
    tenants: tuple[str, ...] = ()
    disabled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Principal:
    """Who is calling. ``provider`` is set for identities vouched for by an external IdP."""

    user_id: str
    email: str | None
    role: Role
    tenants: tuple[str, ...] = ()
    provider: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def sees_all_tenants(self) -> bool:
        return (self.is_admin and self.provider is None) or ALL_TENANTS in self.tenants

    def may_sync(self, tenant_id: str) -> bool:
        return self.sees_all_tenants or tenant_id in self.tenants


_NUMERIC_ID = re.compile(r"^[0-9]{1,18}$")


def numeric_id(text: str) -> int | None:
    """A storable user id, or None (``str.isdigit`` also accepts "²", which int() refuses)."""
    return int(text) if _NUMERIC_ID.match(text) else None


def credential_version(user: User) -> str:
    """Changes whenever the user's password, role or enabled state changes: carried by tokens
    as ``ver`` (and stored with refresh tokens), so such a change revokes them. A new bcrypt
    hash has a new salt, so even re-setting the same password changes it."""
    material = f"{user.id}\x00{user.role}\x00{int(user.disabled)}\x00{user.password_hash}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]
