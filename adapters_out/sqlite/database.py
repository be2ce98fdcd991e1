"""``SqliteDatabase``: the embedded-default storage, one file in WAL mode.

Usage (bootstrap builds it per worker process, after the fork)::

    db = SqliteDatabase(path)
    db.migrate()
    with db() as uow:
        ...
        uow.commit()
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters_out.sqlite import schema
from adapters_out.sqlite.connections import (
    MIN_SQLITE,
    ConnectionPool,
    Synchronous,
    WriterTurn,
    translated,
)
from adapters_out.sqlite.uow import SqliteUnitOfWork


class SqliteDatabase:
    """A ``UnitOfWorkFactory`` and ``DatabaseHealth`` over one SQLite file. Opening it does
    no I/O; connections are made on first use."""

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_ms: int = 5000,
        synchronous: Synchronous = "NORMAL",
    ) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} is too old: "
                f"{'.'.join(map(str, MIN_SQLITE))} or newer is required"
            )
        if str(path) == ":memory:":
            raise ValueError("SqliteDatabase needs a file: each connection would get its own")
        self.path = Path(path)
        self._pool = ConnectionPool(self.path, busy_timeout_ms, synchronous)
        self._writer_turn = WriterTurn(busy_timeout_ms / 1000)

    @contextmanager
    def __call__(self, *, read_only: bool = False) -> Iterator[SqliteUnitOfWork]:
        """One unit of work = one transaction. A writer's ``BEGIN IMMEDIATE`` takes the write
        lock up front (waiting up to the busy timeout), so a transaction never fails half-way
        for lack of it; leaving the block without ``commit()`` or with an error rolls back.
        A reader's plain ``BEGIN`` takes no lock: in WAL mode it reads a consistent snapshot
        while a writer works, so pulls never queue behind pushes."""
        if read_only:
            with self._pool.borrowed() as conn, translated():
                conn.execute("BEGIN")
                try:
                    yield SqliteUnitOfWork(conn)
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")  # nothing to keep: a reader never writes
            return
        with self._writer_turn(), self._pool.borrowed() as conn, translated():
            conn.execute("BEGIN IMMEDIATE")
            uow = SqliteUnitOfWork(conn)
            try:
                yield uow
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back by itself already
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT" if uow.committed else "ROLLBACK")

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns their names (empty when already current).
        Raises ``SchemaTooNew`` when a newer release migrated the file."""
        with self._connection() as conn:
            return schema.migrate(conn)

    def schema_version(self) -> int:
        with self._connection() as conn:
            return schema.current_version(conn)

    def check(self) -> dict[str, Any]:
        """A read round trip (never waits for writers, thanks to WAL)."""
        started = time.perf_counter()
        with self._connection() as conn:
            version = schema.current_version(conn)  # reads the schema page: the file is usable
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        return {
            "backend": "sqlite",
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
            "path": str(self.path),
            "journal_mode": mode,
            "wal": mode == "wal",
            "schema_version": version,
            "sqlite_version": sqlite3.sqlite_version,
            "pool": {"idle": self._pool.idle()},
        }

    def close(self) -> None:
        """Close idle connections; units of work still open close theirs when they end."""
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._pool.borrowed() as conn, translated():
            yield conn
