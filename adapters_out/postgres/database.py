"""The PostgreSQL database: connection pool, unit-of-work factory, migrations and health."""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg_pool import ConnectionPool

from adapters_out.postgres import migrator
from adapters_out.postgres.errors import storage_unavailable, translated
from adapters_out.postgres.session import Session
from adapters_out.postgres.uow import PgUnitOfWork

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TRUST_FOR_S = 2.0  # a connection used this recently is not checked again on checkout


def _connection_kwargs(dsn: str, schema: str | None, timeout_s: float, name: str) -> dict[str, Any]:
    """Per-connection settings: UTC instants, and the schema when one is given (the server
    parses ``options``, so the name is restricted rather than escaped).

    Custom plans only: psycopg prepares a statement after its fifth use, and PostgreSQL then
    switches to a *generic* plan once that looks no dearer than the custom ones. A generic plan
    is chosen while the tenant is small (a fresh database, or a new tenant's first minutes),
    is cached for the connection's life, and is never re-planned as the tables grow: a hash
    anti-join over every stored event for the claim, a walk of the tenant's live entities for
    each duplicate candidate. That made the cold push's latency grow linearly with the tenant
    (issue 9). A custom plan costs a planning pass per execution (tens of microseconds for
    these statements) and always sees the real keys and the real table sizes."""
    existing = pg_conninfo.conninfo_to_dict(dsn).get("options") or ""
    settings = ["-c TimeZone=UTC", "-c plan_cache_mode=force_custom_plan"]
    if schema is not None:
        settings.append(f"-c search_path={schema}")
    return {
        "autocommit": True,  # a unit of work sends BEGIN itself, on its first write (session.py)
        "options": " ".join(s for s in (str(existing), *settings) if s),
        "connect_timeout": max(2, round(timeout_s)),  # libpq's minimum is 2 seconds
        "application_name": name,
    }


class PostgresDatabase:
    """``UnitOfWorkFactory`` and ``DatabaseHealth`` over a psycopg connection pool.

    Nothing connects before ``open()``; build one per process (after a fork, never before).
    """

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        timeout_s: float = 5.0,
        schema: str | None = None,
        name: str = "datacollect",
    ) -> None:
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError(f"schema must match {_SCHEMA_NAME.pattern}, got {schema!r}")
        self.schema = schema
        self._dsn, self._timeout = dsn, timeout_s
        self._kwargs = _connection_kwargs(dsn, schema, timeout_s, name)
        self._pool = ConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            kwargs=self._kwargs,
            open=False,
            name=name,
            timeout=timeout_s,
            check=self._check_if_idle,
        )
        self._last_used: weakref.WeakKeyDictionary[psycopg.Connection[Any], float] = (
            weakref.WeakKeyDictionary()
        )
        self._last_used_lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------
    def open(self, wait: bool = True) -> None:
        """Connect once directly first: a bad DSN or a server that is down fails at once with
        libpq's reason, instead of after the pool's timeout with a generic one."""
        try:
            with psycopg.connect(self._dsn, **self._kwargs) as conn:
                migrator.refuse_newer(migrator.recorded_version(conn), migrator.latest_version())
        except psycopg.Error as error:
            raise storage_unavailable(error) from error
        with translated():
            self._pool.open(wait=wait, timeout=self._timeout)

    def close(self) -> None:
        self._pool.close()

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns their names (empty when already current)."""
        with translated(), self._pool.connection() as conn:
            return migrator.migrate(conn, self.schema)

    def schema_version(self) -> int:
        with translated(), self._pool.connection() as conn:
            return migrator.recorded_version(conn)

    # -- UnitOfWorkFactory -----------------------------------------------------------------
    @contextmanager
    def __call__(self, *, read_only: bool = False) -> Iterator[PgUnitOfWork]:
        """A read-only unit of work reads one snapshot and never waits for writers (MVCC); it
        is also where pull traffic could later be routed to a read replica."""
        with translated(), self._pool.connection() as conn:
            session = Session(conn, read_only=read_only)
            uow = PgUnitOfWork(session)
            try:
                try:
                    yield uow
                except BaseException:
                    session.abandon()
                    raise
                session.finish(commit=uow.committed)
            finally:
                with self._last_used_lock:
                    self._last_used[conn] = time.monotonic()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection in autocommit mode, for stores whose every call is one atomic
        statement (rate limits): no transaction, no unit of work."""
        with translated(), self._pool.connection() as conn:
            try:
                yield conn
            finally:
                with self._last_used_lock:
                    self._last_used[conn] = time.monotonic()

    def _check_if_idle(self, conn: psycopg.Connection[Any]) -> None:
        """Pool hook on checkout: a connection that sat idle (perhaps broken by a server restart
        or a dropped network path since) costs one round trip to verify and is replaced if dead;
        one in steady use is trusted, which saves that round trip on every unit of work."""
        with self._last_used_lock:
            last = self._last_used.get(conn)
        if last is None or time.monotonic() - last > _TRUST_FOR_S:
            ConnectionPool.check_connection(conn)

    # -- DatabaseHealth --------------------------------------------------------------------
    def pool_stats(self) -> dict[str, int]:
        """This process's pool figures, with no I/O (for the metrics gauges)."""
        stats = self._pool.get_stats()
        return {
            "size": stats.get("pool_size", 0),
            "available": stats.get("pool_available", 0),
            "waiting": stats.get("requests_waiting", 0),
        }

    def check(self) -> dict[str, Any]:
        started = time.perf_counter()
        with translated(), self._pool.connection() as conn:
            conn.execute("SELECT 1").fetchone()
        latency_ms = (time.perf_counter() - started) * 1000
        stats = self._pool.get_stats()
        return {
            "backend": "postgres",
            "latency_ms": round(latency_ms, 3),
            "pool": {
                "min": stats.get("pool_min"),
                "max": stats.get("pool_max"),
                "size": stats.get("pool_size"),
                "available": stats.get("pool_available"),
                "waiting": stats.get("requests_waiting"),
                "errors": stats.get("requests_errors", 0),
            },
        }
