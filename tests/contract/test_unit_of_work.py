"""Transactions: nothing persists without commit; an exception rolls everything back."""

from __future__ import annotations

import pytest

from tests.contract.builders import tenant


def test_committed_work_is_visible_to_the_next_unit_of_work(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    with database() as uow:
        assert uow.tenants.get("t1") == tenant("t1")


def test_work_without_commit_is_rolled_back(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
    with database() as uow:
        assert uow.tenants.get("t1") is None


def test_an_exception_rolls_back_and_propagates(database):
    with pytest.raises(RuntimeError), database() as uow:
        uow.tenants.add(tenant("t1"))
        raise RuntimeError("boom")
    with database() as uow:
        assert uow.tenants.get("t1") is None


def test_writes_are_visible_inside_their_own_unit_of_work(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        assert uow.tenants.get("t1") is not None


def test_lock_entities_accepts_repeated_calls(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.lock_entities("t1", ["a", "b"])
        uow.lock_entities("t1", ["b", "c"])
        uow.commit()
