"""A verified e-mail/password is remembered briefly, and never beyond an account change."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from adapters_out.memory.uow import MemoryDatabase
from application.basic_credentials import BasicCredentials
from domain.errors import Unauthenticated
from domain.users import User
from tests.support.clock import SteppingClock


class CountingHasher:
    def __init__(self) -> None:
        self.checks = 0

    def hash(self, password: str) -> str:
        return "h:" + password

    def verify(self, password: str, password_hash: str) -> bool:
        self.checks += 1
        return password_hash == "h:" + password

    def waste_time(self, password: str) -> None:
        self.checks += 1


@pytest.fixture
def setup() -> tuple[BasicCredentials, CountingHasher, SteppingClock, MemoryDatabase]:
    db, hasher, clock = MemoryDatabase(), CountingHasher(), SteppingClock(step=timedelta(0))
    with db() as uow:
        uow.users.add(
            User(id=0, email="ann@example.org", password_hash="h:pw", role="USER", tenants=("a",))
        )
        uow.commit()
    return BasicCredentials(db, hasher, clock), hasher, clock, db


def _change(db: MemoryDatabase, **changes: object) -> None:
    with db() as uow:
        user = uow.users.get_by_email("ann@example.org")
        assert user is not None
        uow.users.update(attrs.evolve(user, **changes))
        uow.commit()


def test_one_check_then_remembered_until_the_ttl(setup) -> None:  # type: ignore[no-untyped-def]
    credentials, hasher, clock, _ = setup
    assert credentials.cached("ann@example.org", "pw") is None
    principal = credentials.verify("Ann@Example.org", "pw")
    assert principal.tenants == ("a",) and hasher.checks == 1
    for _ in range(100):
        assert credentials.cached("ann@example.org", "pw") == principal
    assert hasher.checks == 1
    assert credentials.cached("ann@example.org", "other") is None
    clock.advance(timedelta(seconds=61))
    assert credentials.cached("ann@example.org", "pw") is None


def test_failures_are_not_remembered(setup) -> None:  # type: ignore[no-untyped-def]
    credentials, hasher, _, _ = setup
    for email in ("ann@example.org", "nobody@example.org"):
        with pytest.raises(Unauthenticated):
            credentials.verify(email, "wrong")
        assert credentials.cached(email, "wrong") is None
    assert hasher.checks == 2  # an unknown e-mail costs a check too (no enumeration)


@pytest.mark.parametrize(
    "change",
    [{"password_hash": "h:new"}, {"disabled": True}, {"tenants": ("b",)}],
)
def test_account_changes_apply_at_once(setup, change) -> None:  # type: ignore[no-untyped-def]
    credentials, _, _, db = setup
    credentials.verify("ann@example.org", "pw")
    _change(db, **change)
    found = credentials.cached("ann@example.org", "pw")
    if "tenants" in change:
        assert found is not None and found.tenants == ("b",)  # grants are read every time
    else:
        assert found is None
