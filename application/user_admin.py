"""Admin-managed accounts: list, create, update (omitted fields keep their value), delete."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from application.access import require_admin
from domain.errors import AlreadyExists, NotFound, StateConflict, ValidationFailed
from domain.users import (
    ADMIN,
    ALL_TENANTS,
    USER,
    Principal,
    Role,
    User,
    normalise_email,
    numeric_id,
    password_problems,
)
from ports.clock import Clock
from ports.repositories import UnitOfWork, UnitOfWorkFactory
from ports.security import PasswordHasher


def _validate(
    email: str, password: str | None, role: str, tenants: Sequence[str]
) -> list[tuple[str, str, str]]:
    problems = []
    if "@" not in email or len(email) > 254 or email != email.strip():
        problems.append(("/email", "invalid-email", "email must be an address like a@b.org"))
    if password is not None:
        problems.extend(password_problems(password))
    if role not in (ADMIN, USER):
        problems.append(("/role", "invalid-role", "role must be ADMIN or USER"))
    for index, tenant in enumerate(tenants):
        if not isinstance(tenant, str) or not tenant:
            problems.append((f"/tenants/{index}", "invalid-tenant", "tenant ids are strings"))
    return problems


def _unknown_tenants(
    uow: UnitOfWork, tenants: Sequence[str], already_granted: Sequence[str] = ()
) -> list[tuple[str, str, str]]:
    """Grants of tenants that do not exist. Grants the user already holds are not re-checked,
    so that editing a user whose tenant was deleted since does not fail on the stale grant."""
    return [
        (f"/tenants/{index}", "unknown-tenant", f"there is no configuration {tenant!r}")
        for index, tenant in enumerate(tenants)
        if isinstance(tenant, str)
        and tenant
        and tenant != ALL_TENANTS
        and tenant not in already_granted
        and uow.tenants.get(tenant) is None
    ]


LAST_ADMIN = "the last admin cannot be removed or demoted; make another user ADMIN first"


def _refuse_losing_last_admin(uow: UnitOfWork, user: User) -> None:
    if user.role == ADMIN and not user.disabled and uow.users.count_admins(lock=True) <= 1:
        raise StateConflict(LAST_ADMIN, code="last-admin")


@attrs.frozen(kw_only=True)
class UserDraft:
    email: str
    password: str | None = attrs.field(default=None, repr=False)
    role: Role = USER
    tenants: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class UserChanges:
    """An update: every field left as None keeps its stored value. The legacy admin UI sends
    only ``{email, password, role}``, which must not wipe the user's tenant grants."""

    email: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    role: Role | None = None
    tenants: tuple[str, ...] | None = None


class ManageUsers:
    """Admin operations on accounts. Every method checks the caller is an admin."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow_factory, self._hasher, self._clock = uow_factory, hasher, clock

    def list(self, principal: Principal) -> list[User]:
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            return uow.users.list()

    def create(self, principal: Principal, draft: UserDraft) -> User:
        require_admin(principal)
        if draft.password is None:
            raise ValidationFailed(
                "password is required", [("/password", "missing-field", "password is required")]
            )
        problems = _validate(draft.email, draft.password, draft.role, draft.tenants)
        if problems:
            raise ValidationFailed("the user is not valid", problems)
        now = self._clock.now()
        user = User(
            id=0,
            email=normalise_email(draft.email),
            password_hash=self._hasher.hash(draft.password),
            role=draft.role,
            tenants=tuple(draft.tenants),
            created_at=now,
            updated_at=now,
        )
        with self._uow_factory() as uow:
            problems = _unknown_tenants(uow, user.tenants)
            if problems:
                raise ValidationFailed("the user is not valid", problems)
            if uow.users.get_by_email(user.email) is not None:
                raise AlreadyExists(
                    f"a user with email {user.email} already exists", code="email-taken"
                )
            created = uow.users.add(user)
            uow.commit()
        return created

    def update(self, principal: Principal, user_id: int, changes: UserChanges) -> User:
        require_admin(principal)
        with self._uow_factory() as uow:
            current = uow.users.get(user_id)
            if current is None:
                raise NotFound("User not found", code="user-not-found")
            email = normalise_email(changes.email) if changes.email is not None else current.email
            role = changes.role if changes.role is not None else current.role
            tenants = changes.tenants if changes.tenants is not None else current.tenants
            problems = _validate(email, changes.password or None, role, tenants)
            problems = problems or _unknown_tenants(uow, tenants, current.tenants)
            if problems:
                raise ValidationFailed("the user is not valid", problems)
            other = uow.users.get_by_email(email)
            if other is not None and other.id != user_id:
                raise AlreadyExists(f"a user with email {email} already exists", code="email-taken")
            if role != ADMIN:
                _refuse_losing_last_admin(uow, current)
            password_hash = (
                self._hasher.hash(changes.password) if changes.password else current.password_hash
            )
            updated = attrs.evolve(
                current,
                email=email,
                password_hash=password_hash,
                role=role,
                tenants=tuple(tenants),
                updated_at=self._clock.now(),
            )
            uow.users.update(updated)
            if changes.password or role != current.role:  # the old credentials are void
                uow.refresh_tokens.revoke_user(user_id, updated.updated_at or self._clock.now())
            uow.commit()
        return updated

    def delete(self, principal: Principal, id_or_email: str) -> None:
        """Delete by numeric id (admin UI) or by email (the old route) - both are compat."""
        require_admin(principal)
        with self._uow_factory() as uow:
            user_id = numeric_id(id_or_email)
            user = (
                uow.users.get(user_id)
                if user_id is not None
                else uow.users.get_by_email(normalise_email(id_or_email))
            )
            if user is None:
                raise NotFound("User not found", code="user-not-found")
            _refuse_losing_last_admin(uow, user)
            uow.users.delete(user.id)
            uow.refresh_tokens.revoke_user(user.id, self._clock.now())
            uow.commit()
