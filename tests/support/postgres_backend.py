"""Where the PostgreSQL tests find their server, and a fresh isolated database per test.

``postgres_dsn()``: ``POSTGRES_TEST`` if set; else a testcontainers PostgreSQL when a Docker
daemon answers; else the local server. Unreachable: the test fails when ``REQUIRE_POSTGRES=1``
(CI), else it is skipped. ``postgres_database()`` yields a migrated ``PostgresDatabase`` on a
new schema, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import atexit
import functools
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import sql

from adapters_out.postgres import PostgresDatabase

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def _docker_answers() -> bool:
    """A cheap check (no Docker client import, 0.2 s at most) for a local Docker daemon."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return bool(os.environ.get("DOCKER_HOST"))
    path = host.removeprefix("unix://")
    if not os.path.exists(path):
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


@functools.cache
def _container_dsn() -> str:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:16-alpine", driver=None)
    container.start()
    atexit.register(container.stop)
    return container.get_connection_url()


@functools.cache
def _unreachable_reason(dsn: str) -> str | None:
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__
    return None


def postgres_dsn() -> str:
    dsn = os.environ.get("POSTGRES_TEST") or ""
    if not dsn:
        dsn = _container_dsn() if _docker_answers() else LOCAL_DSN
    reason = _unreachable_reason(dsn)
    if reason is not None:
        message = f"PostgreSQL is not reachable ({reason})"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return dsn


@contextmanager
def fresh_schema(dsn: str) -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def postgres_database(**options: Any) -> Iterator[PostgresDatabase]:
    """A migrated database on its own schema; ``options`` go to ``PostgresDatabase``."""
    dsn = postgres_dsn()
    with fresh_schema(dsn) as schema:
        db = PostgresDatabase(dsn, schema=schema, **{"max_size": 4, **options})
        db.open(wait=True)
        try:
            db.migrate()
            yield db
        finally:
            db.close()
