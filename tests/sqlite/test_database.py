"""The file, its settings, health checks, locking and the connection pool."""

from __future__ import annotations

import multiprocessing
import sqlite3
import stat
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters_out.sqlite import SqliteDatabase
from adapters_out.sqlite.schema import available
from domain.events import Event
from domain.tenants import Tenant
from ports.errors import StorageUnavailable
from tests.support.sqlite_backend import sqlite_database


def _tenant(tenant_id: str) -> Tenant:
    return Tenant(id=tenant_id, name=tenant_id, artifact_id="0" * 32)


def test_the_file_is_in_wal_mode_with_the_documented_settings(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db:
        with db._connection() as conn:
            pragmas = {
                name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        # 1 = NORMAL; busy_timeout in ms, as configured
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": 1,
            "busy_timeout": 5000,
        }
        outsider = sqlite3.connect(db.path)  # WAL is a property of the file itself
        assert outsider.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        outsider.close()


def test_the_database_files_are_private(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db:
        with db() as uow:
            uow.tenants.add(_tenant("t1"))
            uow.commit()
        files = [db.path, db.path.with_name(db.path.name + "-wal")]
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
        assert modes == {f.name: 0o600 for f in files}
        assert stat.S_IMODE(db.path.parent.stat().st_mode) & 0o077 == 0


def test_check_reports_latency_path_and_wal(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db:
        health = db.check()
        assert health["backend"] == "sqlite"
        assert health["path"] == str(db.path)
        assert health["wal"] is True and health["journal_mode"] == "wal"
        assert 0 <= health["latency_ms"] < 5000
        assert health["schema_version"] == available()[-1].version


def test_check_works_before_the_first_migration(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "new.db")
    assert db.check()["schema_version"] == 0
    db.close()


def test_check_on_an_unusable_path_raises_storage_unavailable(tmp_path: Path) -> None:
    (tmp_path / "a-directory").mkdir()
    db = SqliteDatabase(tmp_path / "a-directory")
    with pytest.raises(StorageUnavailable):
        db.check()
    with pytest.raises(StorageUnavailable), db():
        pass


def test_a_file_that_is_not_a_database_is_reported_as_unavailable(tmp_path: Path) -> None:
    (tmp_path / "garbage.db").write_bytes(b"this is not an SQLite database" * 100)
    db = SqliteDatabase(tmp_path / "garbage.db")
    with pytest.raises(StorageUnavailable, match="not a database"):
        db.check()
    with pytest.raises(StorageUnavailable), db():
        pass
    db.close()


def test_a_lock_held_beyond_the_busy_timeout_becomes_storage_unavailable(tmp_path: Path) -> None:
    with sqlite_database(tmp_path, busy_timeout_ms=200) as db:
        other = sqlite3.connect(db.path, isolation_level=None)  # e.g. another process
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as raised, db() as uow:
            uow.tenants.add(_tenant("never"))
            uow.commit()
        assert time.monotonic() - started >= 0.15  # it waited for the lock first
        assert raised.value.retry_after_s >= 1
        assert db.check()["wal"] is True  # readers are not blocked by the writer (WAL)
        other.execute("ROLLBACK")
        other.close()
        with db() as uow:  # and the database works again once the lock is gone
            uow.tenants.add(_tenant("t1"))
            uow.commit()
        with db() as uow:
            assert uow.tenants.list_ids() == ["t1"]


def test_a_short_lock_is_waited_for(tmp_path: Path) -> None:
    with sqlite_database(tmp_path, busy_timeout_ms=5000) as db:
        other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.2, lambda: other.execute("COMMIT")).start()
        with db() as uow:
            uow.tenants.add(_tenant("t1"))
            uow.commit()
        other.close()
        with db() as uow:
            assert uow.tenants.get("t1") is not None


def test_connections_are_reused_after_commit_rollback_and_errors(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db:
        with db() as uow:
            uow.tenants.add(_tenant("t1"))
            uow.commit()
        with pytest.raises(ValueError), db() as uow:
            uow.tenants.add(_tenant("t2"))
            raise ValueError("boom")
        with db() as uow:
            assert uow.tenants.list_ids() == ["t1"]
        assert db.check()["pool"]["idle"] == 1


def test_a_closed_database_refuses_new_work(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as db:
        db.close()
        with pytest.raises(StorageUnavailable), db():
            pass


def test_opening_does_no_io_and_memory_databases_are_refused(tmp_path: Path) -> None:
    SqliteDatabase(tmp_path / "later" / "data.db")
    assert not (tmp_path / "later").exists()
    with pytest.raises(ValueError):
        SqliteDatabase(":memory:")


def test_many_threads_share_one_database(tmp_path: Path) -> None:
    """gthread workers: threads of one process run units of work at the same time."""
    with sqlite_database(tmp_path) as db:
        errors: list[BaseException] = []

        def work(index: int) -> None:
            try:
                for round_ in range(10):
                    with db() as uow:
                        uow.tenants.add(_tenant(f"t{index}-{round_}"))
                        uow.commit()
                    with db() as uow:
                        assert uow.tenants.get(f"t{index}-{round_}") is not None
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with db() as uow:
            assert len(uow.tenants.list_ids()) == 80
        assert db.check()["pool"]["idle"] <= 8


def test_a_unit_of_work_held_open_too_long_by_another_thread_is_reported(tmp_path: Path) -> None:
    with sqlite_database(tmp_path, busy_timeout_ms=200) as db:
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with db() as uow:
                uow.tenants.add(_tenant("slow"))
                holding.set()
                release.wait(5)
                uow.commit()

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait(5)
        with pytest.raises(StorageUnavailable, match="busy"), db():
            pass
        release.set()
        holder.join()
        with db() as uow:
            assert uow.tenants.list_ids() == ["slow"]


def _child_adds_a_tenant(db: SqliteDatabase) -> None:
    inherited = {id(conn) for conn in db._pool._idle}
    assert inherited  # the parent's connection came along with the fork...
    with db() as uow:
        assert id(uow.tenants._conn) not in inherited  # ...and is not used
        uow.tenants.add(_tenant("from-child"))
        uow.commit()


def test_a_database_object_inherited_through_fork_opens_its_own_connections(
    tmp_path: Path,
) -> None:
    """gunicorn with preload_app: the object may be built before the fork. The child must
    never use the parent's connections (SQLite forbids it), and still work."""
    with sqlite_database(tmp_path) as db:
        with db() as uow:  # the parent now has a pooled connection
            uow.tenants.add(_tenant("from-parent"))
            uow.commit()
        child = multiprocessing.get_context("fork").Process(target=_child_adds_a_tenant, args=(db,))
        child.start()
        child.join(30)
        assert child.exitcode == 0
        with db() as uow:  # and the parent's own connection is still fine
            assert uow.tenants.list_ids() == ["from-child", "from-parent"]


def test_numbering_anything_but_claimed_events_fails_instead_of_leaving_a_gap(
    tmp_path: Path,
) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    event = Event(guid="g1", entity_guid="e1", type="t", data={"a": 1}, timestamp=at, user_id="u")
    with sqlite_database(tmp_path) as db:
        other = Event(guid="never-claimed", entity_guid="e1", type="t", data={}, timestamp=at,
                      user_id="u")  # fmt: skip
        for events in ([other], [event, event]):
            with pytest.raises(RuntimeError, match="only events claimed"), db() as uow:
                uow.events.claim("t1", [event])
                uow.events.number("t1", events)
                uow.commit()
        with db() as uow:
            assert uow.events.head("t1") == 0
            assert uow.events.get_many("t1", ["g1"]) == {}
