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


def test_a_reader_sees_committed_data_and_does_not_wait_for_a_writer(database):
    import threading

    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    writer_inside, reader_done = threading.Event(), threading.Event()

    def write() -> None:
        with database() as uow:
            uow.tenants.add(tenant("t2"))
            writer_inside.set()
            reader_done.wait(10)  # hold the write transaction open while the reader reads
            uow.commit()

    thread = threading.Thread(target=write)
    thread.start()
    assert writer_inside.wait(10)
    with database(read_only=True) as reader:
        assert reader.tenants.get("t1") is not None
        assert reader.tenants.get("t2") is None  # uncommitted work is invisible
    reader_done.set()
    thread.join(10)
    with database(read_only=True) as reader:
        assert reader.tenants.list_ids() == ["t1", "t2"]
