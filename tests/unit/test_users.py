"""Accounts: login without enumeration, admin-only management, the initial admin."""

from __future__ import annotations

import pytest

from adapters_out.memory.uow import MemoryDatabase
from application.sessions import SessionTokens
from application.user_admin import ManageUsers, UserChanges, UserDraft
from application.users import CurrentUser, EnsureInitialAdmin, Login
from domain.errors import AlreadyExists, Forbidden, NotFound, Unauthenticated, ValidationFailed
from domain.tenants import Tenant
from domain.users import Principal
from tests.support.clock import SteppingClock
from tests.support.fakes import EchoTokens, PlainHasher, SequentialTokens

ADMIN = Principal(user_id="1", email="root@example.org", role="ADMIN", tenants=("*",))
USER = Principal(user_id="2", email="u@example.org", role="USER", tenants=("t1",))
PASSWORD = "correct horse battery"


@pytest.fixture
def db() -> MemoryDatabase:
    database = MemoryDatabase()
    with database() as uow:  # users may only be granted tenants that exist
        for tenant_id in ("t1", "t2"):
            uow.tenants.add(Tenant(id=tenant_id, name=tenant_id, artifact_id=tenant_id * 16))
        uow.commit()
    return database


@pytest.fixture
def hasher() -> PlainHasher:
    return PlainHasher()


def _login(db: MemoryDatabase, hasher: PlainHasher) -> Login:
    clock = SteppingClock()
    return Login(db, hasher, SessionTokens(EchoTokens(), SequentialTokens(), clock), clock)


@pytest.fixture
def manage(db, hasher) -> ManageUsers:
    return ManageUsers(db, hasher, SteppingClock())


def test_login_returns_a_token_and_the_numeric_user_id(db, hasher, manage):
    created = manage.create(ADMIN, UserDraft(email="Ann@Example.org", password=PASSWORD))
    result = _login(db, hasher)("ann@example.org ", PASSWORD)
    assert result.user_id == created.id
    assert result.token == f"token:{created.id}:USER"


def test_unknown_email_and_wrong_password_fail_identically_and_both_hash(db, hasher, manage):
    manage.create(ADMIN, UserDraft(email="ann@example.org", password=PASSWORD))
    login = _login(db, hasher)
    failures = []
    for email, password in (("nobody@example.org", PASSWORD), ("ann@example.org", "wrong!!!!!!")):
        before = hasher.calls
        with pytest.raises(Unauthenticated) as caught:
            login(email, password)
        failures.append((caught.value.message, caught.value.code, hasher.calls - before))
    assert failures[0] == failures[1] == ("Invalid email or password", "invalid-credentials", 1)


def test_only_admins_manage_users(manage):
    with pytest.raises(Forbidden):
        manage.list(USER)
    with pytest.raises(Forbidden):
        manage.create(USER, UserDraft(email="x@example.org", password=PASSWORD))
    with pytest.raises(Forbidden):
        manage.delete(USER, "1")


@pytest.mark.parametrize(
    ("draft", "pointer", "code"),
    [
        (UserDraft(email="not-an-email", password=PASSWORD), "/email", "invalid-email"),
        (UserDraft(email="a@b.org", password="short"), "/password", "weak-password"),
        (UserDraft(email="a@b.org", password="é" * 40), "/password", "password-too-long"),
        (UserDraft(email="a@b.org", password=PASSWORD, role="ROOT"), "/role", "invalid-role"),
        (UserDraft(email="a@b.org"), "/password", "missing-field"),
    ],
)
def test_invalid_users_are_refused_with_pointers(manage, draft, pointer, code):
    with pytest.raises(ValidationFailed) as caught:
        manage.create(ADMIN, draft)
    assert (pointer, code) in [(p, c) for p, c, _ in caught.value.problems]


def test_duplicate_emails_conflict_case_insensitively(manage):
    manage.create(ADMIN, UserDraft(email="ann@example.org", password=PASSWORD))
    with pytest.raises(AlreadyExists):
        manage.create(ADMIN, UserDraft(email="ANN@example.org", password=PASSWORD))


def test_update_changes_email_and_keeps_the_password_when_none_is_given(db, hasher, manage):
    ann = manage.create(ADMIN, UserDraft(email="ann@example.org", password=PASSWORD))
    manage.update(ADMIN, ann.id, UserDraft(email="anne@example.org", role="ADMIN", tenants=("t1",)))
    result = _login(db, hasher)("anne@example.org", PASSWORD)
    assert result.token.endswith(":ADMIN")
    with pytest.raises(NotFound):
        manage.update(ADMIN, 999, UserChanges(email="z@example.org"))


def test_update_to_another_users_email_conflicts(manage):
    manage.create(ADMIN, UserDraft(email="ann@example.org", password=PASSWORD))
    bob = manage.create(ADMIN, UserDraft(email="bob@example.org", password=PASSWORD))
    with pytest.raises(AlreadyExists):
        manage.update(ADMIN, bob.id, UserChanges(email="ann@example.org"))


def test_delete_by_id_or_by_email(manage):
    ann = manage.create(ADMIN, UserDraft(email="ann@example.org", password=PASSWORD))
    manage.create(ADMIN, UserDraft(email="bob@example.org", password=PASSWORD))
    manage.delete(ADMIN, str(ann.id))
    manage.delete(ADMIN, "BOB@example.org")
    assert manage.list(ADMIN) == []
    with pytest.raises(NotFound):
        manage.delete(ADMIN, "bob@example.org")


def test_a_deleted_users_token_stops_resolving(db, manage):
    ann = manage.create(
        ADMIN, UserDraft(email="ann@example.org", password=PASSWORD, tenants=("t1",))
    )
    current = CurrentUser(db, SteppingClock())
    assert current(str(ann.id)).tenants == ("t1",)
    manage.delete(ADMIN, str(ann.id))
    with pytest.raises(Unauthenticated):
        current(str(ann.id))
    with pytest.raises(Unauthenticated):
        current("not-a-number")


def test_initial_admin_is_created_once(db, hasher):
    ensure = EnsureInitialAdmin(db, hasher, SteppingClock())
    created = ensure("Root@Example.org", PASSWORD)
    assert created is not None
    assert (created.email, created.role, created.tenants) == ("root@example.org", "ADMIN", ("*",))
    assert ensure("other@example.org", PASSWORD) is None
    with pytest.raises(ValidationFailed):
        EnsureInitialAdmin(MemoryDatabase(), hasher, SteppingClock())("a@b.org", "short")


def test_an_update_that_omits_tenants_and_role_keeps_them(manage):
    ann = manage.create(
        ADMIN,
        UserDraft(email="ann@example.org", password=PASSWORD, role="ADMIN", tenants=("t1", "t2")),
    )
    updated = manage.update(
        ADMIN, ann.id, UserChanges(email="ann@example.org", password="another password")
    )
    assert (updated.role, updated.tenants) == ("ADMIN", ("t1", "t2"))


def test_non_ascii_digits_are_not_user_ids(manage):
    with pytest.raises(NotFound):
        manage.delete(ADMIN, "²")
