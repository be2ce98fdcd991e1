"""PostgreSQL-specific unit-of-work behaviour: snapshots, pipelined failures, lazy BEGIN."""

from __future__ import annotations

import threading

import pytest

from adapters_out.postgres import StorageError
from ports.repositories import RejectedEvent
from tests.contract.builders import event, t, tenant

pytestmark = pytest.mark.postgres


def _commit_tenant_in_thread(pg, tenant_id: str) -> None:
    def add() -> None:
        with pg() as uow:
            uow.tenants.add(tenant(tenant_id))
            uow.commit()

    thread = threading.Thread(target=add)
    thread.start()
    thread.join(10)


def test_a_read_only_unit_of_work_reads_one_snapshot(pg):
    _commit_tenant_in_thread(pg, "t1")
    with pg(read_only=True) as reader:
        assert reader.tenants.list_ids() == ["t1"]
        _commit_tenant_in_thread(pg, "t2")  # commits between two reads of the same reader
        assert reader.tenants.list_ids() == ["t1"]
        assert reader.tenants.get("t2") is None
    with pg(read_only=True) as reader:
        assert reader.tenants.list_ids() == ["t1", "t2"]


def test_a_read_only_unit_of_work_refuses_to_write(pg):
    with pytest.raises(StorageError, match="read-only"), pg(read_only=True) as reader:
        reader.tenants.add(tenant("t1"))
    with pg() as uow:
        assert uow.tenants.get("t1") is None


def test_a_pipelined_write_that_fails_aborts_the_whole_unit_of_work(pg):
    with pg() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    rejected = RejectedEvent(
        guid="g1",
        raw={"text": "a\u0000b"},  # jsonb cannot hold NUL: fails on the server, not in Python
        code="invalid-event",
        message="why",
        received_at=t(1),
        pushed_by="1",
    )
    with pytest.raises(StorageError), pg() as uow:
        uow.events.claim("t1", [event("e1")])
        uow.events.number("t1", [event("e1")])
        uow.quarantine.put("t1", rejected)  # queued: nothing is read back, no error yet
        uow.commit()  # ... so the failure surfaces when the unit of work ends
    with pg() as uow:
        assert uow.events.get_many("t1", ["e1"]) == {}  # the earlier claim was rolled back
        assert uow.quarantine.count("t1") == 0
    with pg() as uow:  # and the pooled connection is clean for the next unit of work
        uow.events.claim("t1", [event("e1")])
        uow.events.number("t1", [event("e1")])
        uow.commit()
    with pg(read_only=True) as uow:
        assert set(uow.events.get_many("t1", ["e1"])) == {"e1"}


def test_uncommitted_writes_roll_back_and_reads_alone_need_no_commit(pg):
    with pg() as uow:
        uow.tenants.add(tenant("t1"))
    with pg() as uow:
        assert uow.tenants.get("t1") is None  # no commit() was called: nothing was written
