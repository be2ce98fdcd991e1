"""OpenFn webhook push against FakeOpenFn: auth modes and the 401-vs-404 rule, 415, 429 with
Retry-After, 503, and one idempotency key per change even when a delivery is repeated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters_out.external.fakes.servers import FakeOpenFn, Fault, running
from ports.external import Credentials
from tests.external.conftest import ADMIN_USER, Harness, event


def _config(fake: FakeOpenFn, **extra: str) -> dict:
    return {
        "type": "openfn-adapter",
        "url": fake.url,
        "extraFields": [{"name": k, "value": v} for k, v in extra.items()],
    }


def test_api_key_push_batches_changes_with_idempotency_keys(harness: Harness, fake_openfn):
    harness.add_tenant("t1", _config(fake_openfn, apiKey="k-123"))
    harness.device_push("t1", [event(f"e{n}", f"p{n}") for n in range(5)])
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed) == ("succeeded", 5)
    assert len(fake_openfn.work_orders) == 1  # batched
    changes = fake_openfn.work_orders[0]["body"]["changes"]
    assert [c["eventGuid"] for c in changes] == [f"e{n}" for n in range(5)]
    assert len(set(fake_openfn.keys())) == 5
    with harness.db(read_only=True) as uow:
        (row, *_) = uow.external.outbox("t1", None, ("done",), 10, 0)
    assert row.external_ref == fake_openfn.work_orders[0]["id"]


def test_a_missing_key_is_401_and_a_wrong_key_is_404_both_stop_the_run(
    harness: Harness, fake_openfn
):
    harness.add_tenant("t1", _config(fake_openfn, authMode="none"))
    harness.add_tenant("t2", _config(fake_openfn, apiKey="bad-key-5150"))
    for tenant in ("t1", "t2"):
        harness.device_push(tenant, [event(f"{tenant}-a", "p1")])
    first = harness.sync(ADMIN_USER, "t1")
    second = harness.sync(ADMIN_USER, "t2")
    assert (first.status, first.errors[0]["kind"]) == ("failed", "auth")
    assert (second.status, second.errors[0]["kind"]) == ("failed", "config")
    assert len(fake_openfn.journal) == 2  # neither was retried
    assert "bad-key-5150" not in repr(second)


def test_basic_auth_with_the_run_credentials():
    with running(FakeOpenFn(mode="basic", user="u", password="p-w")) as fake:
        from adapters_out.memory.uow import MemoryDatabase
        from tests.external.conftest import build

        harness = build(MemoryDatabase())
        harness.add_tenant("t1", {"type": "openfn", "url": fake.url, "auth": "basic"})
        harness.device_push("t1", [event("a", "p1")])
        refused = harness.sync(ADMIN_USER, "t1")
        assert refused.status == "failed"
        run = harness.sync(ADMIN_USER, "t1", Credentials(username="u", password="p-w"))
        assert (run.status, run.pushed) == ("succeeded", 1)


def test_429_with_retry_after_is_waited_for_and_503_is_retried(harness: Harness, fake_openfn):
    harness.add_tenant("t1", _config(fake_openfn, apiKey="k-123"))
    harness.device_push("t1", [event("a", "p1")])
    fake_openfn.fail(Fault(status=429, retry_after="1"))
    fake_openfn.fail(Fault(status=503, times=1))
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.pushed) == ("succeeded", 1)
    assert len(fake_openfn.journal) == 3
    assert len(fake_openfn.work_orders) == 1


def test_415_rejects_the_rows_for_an_admin_to_look_at(harness: Harness, fake_openfn):
    harness.add_tenant("t1", _config(fake_openfn, apiKey="k-123"))
    harness.device_push("t1", [event("a", "p1")])
    fake_openfn.fail(Fault(status=415))
    run = harness.sync(ADMIN_USER, "t1")
    assert (run.status, run.rejected) == ("partial", 1)
    failed = harness.admin.failed(ADMIN_USER, "t1", 10, 0)
    assert [r.event_guid for r in failed.rows] == ["a"]
    assert harness.admin.requeue(ADMIN_USER, "t1", ["a"]) == 1
    assert harness.sync(ADMIN_USER, "t1").pushed == 1


@pytest.fixture
def fake_openfn() -> Iterator[FakeOpenFn]:
    with running(FakeOpenFn(mode="api-key", api_key="k-123")) as fake:
        yield fake  # type: ignore[misc]


def test_the_callback_applies_records_once_with_the_hashed_token(harness: Harness, fake_openfn):
    from application.external_callback import ExternalCallback
    from domain.errors import Unauthenticated
    from ports.records import EntityQuery

    harness.add_tenant("t1", _config(fake_openfn, apiKey="k-123"))
    callback = ExternalCallback(harness.db, harness.push._clock, harness.push._ids, harness.push)
    token = callback.issue_token(ADMIN_USER, "t1")
    with harness.db(read_only=True) as uow:
        stored = uow.external.callback_hash("t1", "openfn")
    assert stored is not None and token not in stored  # only the hash is kept
    records = [{"id": "r1", "timestamp": "2025-02-01T00:00:00.000Z", "name": "From OpenFn"}]
    with pytest.raises(Unauthenticated):
        callback.receive("t1", "wrong", records)
    with pytest.raises(Unauthenticated):
        callback.receive("t1", None, records)
    assert callback.receive("t1", token, records) == 1
    assert callback.receive("t1", token, records) == 0  # a repeated callback is a no-op
    with harness.db(read_only=True) as uow:
        names = [e.display_name for e in uow.entities.list("t1", EntityQuery())]
        assert names == ["From OpenFn"]
        assert uow.external.counts("t1") == {}  # and it is never sent back to OpenFn
    assert harness.sync(ADMIN_USER, "t1").pushed == 0
    assert fake_openfn.work_orders == []
