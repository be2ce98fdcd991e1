"""One unit of work's connection: pipelined statements and a transaction opened on demand.

A few things keep a unit of work to few round trips:

- ``BEGIN`` is sent with the first write, not up front. Under READ COMMITTED every statement
  takes its own snapshot, inside a transaction or not, so reads before the first write see
  exactly what they would see inside one.
- From the first statement of a transaction on, the connection is in pipeline mode: a statement
  whose result nobody reads (an INSERT, an advisory lock) is sent at once and its outcome
  collected with the next result that is read, so a push's writes cost no waiting (and BEGIN
  travels with the first statement). A failure surfaces at the next read or at the end; it
  aborts the unit of work either way.
- A read-only unit of work (``read_only=True``: one consistent snapshot, no writes) runs in a
  REPEATABLE READ, READ ONLY transaction that ends with COMMIT, never ROLLBACK: psycopg empties
  its prepared-statement cache on every ROLLBACK, which would cost every pull its prepared plans.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import Cursor, Pipeline

from adapters_out.postgres.errors import StorageError

# Explicit, so that a server whose default isolation was changed keeps the semantics above.
_BEGIN = b"BEGIN ISOLATION LEVEL READ COMMITTED"
_BEGIN_READ_ONLY = b"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"


class Session:
    def __init__(self, conn: psycopg.Connection[Any], *, read_only: bool = False) -> None:
        self._conn, self.read_only = conn, read_only
        self._pipeline: Pipeline | None = None
        self._pipeline_block = contextlib.ExitStack()
        self.in_transaction = False

    def read(self, query: Any, params: Any = None) -> Cursor[Any]:
        if self.read_only and not self.in_transaction:
            self._begin(_BEGIN_READ_ONLY)  # the snapshot is taken by the first read
        return self._conn.execute(query, params)

    def write(self, query: Any, params: Any = None) -> Cursor[Any]:
        """Execute inside the transaction (opened now if needed); fetch only if it returns."""
        if self.read_only:
            raise StorageError("a read-only unit of work cannot write", None)
        if not self.in_transaction:
            self._begin(_BEGIN)
        return self._conn.execute(query, params)

    def _begin(self, statement: bytes) -> None:
        self._pipeline = self._pipeline_block.enter_context(self._conn.pipeline())
        self._conn.execute(statement)
        self.in_transaction = True

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo only the block's statements when it fails; its error is raised in the block's
        caller (not later), so the caller can handle it and carry on with the unit of work."""
        self.write(b"SAVEPOINT dc_block")
        assert self._pipeline is not None
        try:
            yield
            self._conn.execute(b"RELEASE SAVEPOINT dc_block")
            self._pipeline.sync()
        except psycopg.Error:
            with contextlib.suppress(psycopg.Error):
                self._pipeline.sync()  # leaves the pipeline's aborted state
            self._conn.execute(b"ROLLBACK TO SAVEPOINT dc_block")
            self._conn.execute(b"RELEASE SAVEPOINT dc_block")
            self._pipeline.sync()
            raise

    def finish(self, commit: bool) -> None:
        """End the unit of work; any queued write that failed raises here."""
        if not self.in_transaction:
            return
        self._conn.execute(b"COMMIT" if commit or self.read_only else b"ROLLBACK")
        try:
            self._pipeline_block.close()  # Sync: waits for everything queued
        except psycopg.Error:
            self.abandon()  # a failed write aborted the transaction: COMMIT was skipped
            raise
        self.in_transaction = False

    def abandon(self) -> None:
        """Roll back after an error, as far as the connection still allows (a broken one is
        discarded by the pool anyway); never masks the error being raised."""
        if not self.in_transaction:
            return
        self.in_transaction = False
        with contextlib.suppress(psycopg.Error):
            self._pipeline_block.close()
        with contextlib.suppress(psycopg.Error):
            self._conn.execute(b"ROLLBACK")
