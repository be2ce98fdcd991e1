"""Failures reach the application as ``ports.errors`` types, quickly, never as psycopg ones."""

from __future__ import annotations

import socket
import threading
import time

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from adapters_out.postgres import PostgresDatabase, StorageError
from ports.errors import StorageUnavailable, TransientConflict
from tests.contract.builders import event, tenant
from tests.postgres.proxy import TcpProxy
from tests.support.postgres_backend import fresh_schema, postgres_dsn

pytestmark = pytest.mark.postgres


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_opening_a_database_that_is_down_fails_at_once():
    db = PostgresDatabase(f"postgresql://postgres@127.0.0.1:{_closed_port()}/test", timeout_s=5)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="unavailable") as raised:
        db.open()
    assert time.monotonic() - started < 2  # not the pool's 5 s timeout
    assert not isinstance(raised.value, psycopg.Error)


def test_a_pool_that_was_never_opened_is_unavailable_not_a_crash():
    db = PostgresDatabase(postgres_dsn())
    with pytest.raises(StorageUnavailable), db():
        pass
    with pytest.raises(StorageUnavailable):
        db.check()


@pytest.fixture
def proxied():
    """A migrated database reached through a proxy the test can switch off."""
    dsn = postgres_dsn()
    target = conninfo_to_dict(dsn)
    proxy = TcpProxy(str(target.get("host") or "127.0.0.1"), int(target.get("port") or 5432))
    proxy.start()
    with fresh_schema(dsn) as schema:
        db = PostgresDatabase(
            make_conninfo(dsn, host="127.0.0.1", port=proxy.port), schema=schema, timeout_s=1
        )
        db.open()
        db.migrate()
        try:
            yield db, proxy
        finally:
            proxy.stop()
            db.close()


def _serves_again_within(db, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with db() as uow:
                return uow.tenants.get("t1") is not None
        except StorageUnavailable:
            time.sleep(0.2)
    return False


def test_losing_the_server_gives_storage_unavailable_and_recovers(proxied):
    db, proxy = proxied
    with db() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    assert db.check()["latency_ms"] >= 0
    proxy.stop()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable), db() as uow:
        uow.tenants.get("t1")
    with pytest.raises(StorageUnavailable):
        db.check()
    assert time.monotonic() - started < 5  # bounded by timeout_s, no hang
    proxy.start()  # the server is back: the same pool serves again, no restart needed
    assert _serves_again_within(db, seconds=20)  # the pool reconnects with backoff
    health = db.check()
    assert health["backend"] == "postgres" and health["pool"]["max"] == 10


def test_a_deadlock_becomes_a_transient_conflict(pg):
    barrier, outcomes = threading.Barrier(2), []

    def lock(first: str, second: str) -> None:
        try:
            with pg() as uow:
                uow.lock_entities("t1", [first])
                uow.events.head("t1")  # a read: returns once the (pipelined) lock is granted
                barrier.wait()
                uow.lock_entities("t1", [second])  # the other holds it: a lock cycle
                uow.commit()
            outcomes.append("done")
        except TransientConflict:
            outcomes.append("retry")

    threads = [threading.Thread(target=lock, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["done", "retry"]


def test_other_database_errors_are_wrapped_not_leaked(pg):
    with pg() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    # PostgreSQL's jsonb cannot hold a NUL character (the other backends can).
    with pytest.raises(StorageError) as raised, pg() as uow:
        uow.events.claim("t1", [event("g1", data={"name": "a\u0000b"})])
        uow.events.number("t1", [event("g1", data={"name": "a\u0000b"})])
    assert not isinstance(raised.value, psycopg.Error)
    assert raised.value.sqlstate is not None
