"""Connections to one SQLite file: per-connection settings, a small pool, error translation.

Several gunicorn gthread threads share one process, and several worker processes share the
file. Each unit of work borrows a connection from the pool (one thread uses it at a time) and
gives it back; other processes are handled by SQLite's file locks plus the busy timeout.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from ports.errors import StorageUnavailable

MIN_SQLITE = (3, 37, 0)  # STRICT tables (3.37), ON CONFLICT DO NOTHING, JSON functions
MAX_IDLE = 8

# Errors that mean "the database cannot serve us right now", not "the code is wrong".
_UNAVAILABLE = {
    "SQLITE_BUSY",  # another writer held the lock beyond the busy timeout
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_PROTOCOL",
    "SQLITE_NOLFS",
    "SQLITE_PERM",
    "SQLITE_CORRUPT",  # the file is damaged or is not a database: an operator must act
    "SQLITE_NOTADB",
}

Synchronous = Literal["NORMAL", "FULL"]


def unavailable(error: sqlite3.Error) -> StorageUnavailable | None:
    """The port's error for a driver error that means "try again later", else None."""
    name = (getattr(error, "sqlite_errorname", None) or "").split("_")
    code = "_".join(name[:2])  # SQLITE_BUSY_SNAPSHOT -> SQLITE_BUSY
    if code in _UNAVAILABLE or "database is locked" in str(error):
        retry = 1 if code in ("SQLITE_BUSY", "SQLITE_LOCKED") else 5
        return StorageUnavailable(f"the database is unavailable (SQLite: {error})", retry)
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise driver errors that mean "unavailable" as ``StorageUnavailable``."""
    try:
        yield
    except sqlite3.Error as error:
        replacement = unavailable(error)
        if replacement is None:
            raise
        raise replacement from error


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def open_connection(
    path: Path, busy_timeout_ms: int, synchronous: Synchronous
) -> sqlite3.Connection:
    if not path.exists():  # create it private: it holds password hashes and personal data
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    # isolation_level=None: the driver never opens transactions by itself; the unit of work
    # issues BEGIN IMMEDIATE / COMMIT / ROLLBACK explicitly. check_same_thread=False because
    # the pool hands a connection to different threads over time (never to two at once).
    # timeout= is SQLite's busy timeout: how long a statement waits for another connection's
    # lock (e.g. another gunicorn process's BEGIN IMMEDIATE) before failing with SQLITE_BUSY.
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        conn.row_factory = sqlite3.Row
        # WAL: readers never block the writer and the writer never blocks readers; the mode is
        # stored in the file, so this is a no-op once set.
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode fsyncs the WAL at checkpoints, not at every commit: the database
        # can never be corrupted, and a process crash (the usual failure) loses nothing; only
        # an OS crash or power cut may lose the last few commits. FULL (an fsync per commit)
        # is available for deployments that prefer durability over push latency.
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        # The WAL is reused, not shrunk, after a checkpoint: cap what a burst leaves on disk.
        conn.execute("PRAGMA journal_size_limit = 67108864")
        conn.execute("PRAGMA foreign_keys = ON")
        # Unicode-aware case folding for searches (SQLite's lower() only knows ASCII).
        conn.create_function("casefold", 1, _casefold, deterministic=True)
    except BaseException:
        conn.close()
        raise
    return conn


class WriterTurn:
    """Threads of one process take turns for SQLite's write lock here, before BEGIN IMMEDIATE.

    SQLite's busy handler polls with sleeps of up to 100 ms, so threads that wait on the file
    lock get served late and in no order (measured with 4 pushing + 4 pulling threads: p99
    ~0.8 s, max ~2 s). A process-local lock hands over the moment it is released, so the busy
    handler only arbitrates between processes. Recreated after a fork (a copy may be held).
    """

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self._pid != os.getpid():
            self._lock, self._pid = threading.Lock(), os.getpid()
        lock = self._lock
        if not lock.acquire(timeout=self._timeout_s):
            busy = "the database is busy: no write turn within the busy timeout (SQLite)"
            raise StorageUnavailable(busy, 1)
        try:
            yield
        finally:
            lock.release()


class ConnectionPool:
    """Idle connections for reuse. Connections are never shared across a fork: a pool
    inherited by a child process is discarded there and refilled."""

    def __init__(self, path: Path, busy_timeout_ms: int, synchronous: Synchronous) -> None:
        self._path, self._timeout, self._sync = path, busy_timeout_ms, synchronous
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False

    def acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise StorageUnavailable("the database has been closed (SQLite)")
            if self._pid != os.getpid():  # forked: the parent's connections are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        try:
            with translated():
                return open_connection(self._path, self._timeout, self._sync)
        except OSError as error:
            raise StorageUnavailable(f"the database cannot be opened (SQLite: {error})") from error

    def release(self, conn: sqlite3.Connection) -> None:
        """Keep the connection for reuse, unless a transaction is still open on it (a failed
        COMMIT or ROLLBACK): closing it is the only safe way to end that transaction."""
        with self._lock:
            keep = not conn.in_transaction and not self._closed and self._pid == os.getpid()
            if keep and len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def borrowed(self) -> Iterator[sqlite3.Connection]:
        conn = self.acquire()
        try:
            yield conn
        finally:
            self.release(conn)

    def idle(self) -> int:
        return len(self._idle)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            with suppress(sqlite3.Error):  # best effort: refresh planner statistics (SQLite docs)
                conn.execute("PRAGMA optimize")
            conn.close()
