"""Versioned migrations: empty -> latest, latest -> no-op, newer than the code -> refused."""

from __future__ import annotations

import threading

import psycopg
import pytest

from adapters_out.postgres import PostgresDatabase
from adapters_out.postgres.migrator import available, latest_version
from adapters_out.postgres.tenant_data import TENANT_TABLES
from ports.errors import SchemaTooNew
from tests.support.postgres_backend import fresh_schema, postgres_dsn

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty():
    """An opened database on a new, empty schema (nothing migrated)."""
    dsn = postgres_dsn()
    with fresh_schema(dsn) as schema:
        db = PostgresDatabase(dsn, schema=schema, max_size=4)
        db.open()
        try:
            yield db
        finally:
            db.close()


def _tables(dsn: str, schema: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {r[0] for r in rows}


def test_an_empty_database_is_migrated_to_the_latest_version(empty):
    assert empty.schema_version() == 0
    applied = empty.migrate()
    assert applied == [m.name for m in available()]
    assert applied[0] == "0001_initial"
    assert empty.schema_version() == latest_version()
    tables = _tables(postgres_dsn(), empty.schema)
    assert {"tenants", "users", "schema_migrations", *TENANT_TABLES} <= tables


def test_migrating_a_current_database_does_nothing(empty):
    empty.migrate()
    assert empty.migrate() == []
    assert empty.schema_version() == latest_version()


def test_servers_migrating_at_once_apply_each_migration_once(empty):
    results: list[list[str]] = []
    barrier = threading.Barrier(3)

    def migrate() -> None:
        barrier.wait()
        results.append(empty.migrate())

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=len) == [[], [], [m.name for m in available()]]


def test_a_database_migrated_by_a_newer_server_is_refused(empty):
    empty.migrate()
    # What a newer release would have recorded:
    with psycopg.connect(postgres_dsn(), options=f"-c search_path={empty.schema}") as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (%s, 'from_the_future.sql')",
            (latest_version() + 1,),
        )
    with pytest.raises(SchemaTooNew, match="newer"):
        empty.migrate()
    newer = latest_version() + 1
    assert empty.schema_version() == newer
    # A server starting on it refuses to run at all rather than write to an unknown schema.
    other = PostgresDatabase(postgres_dsn(), schema=empty.schema)
    with pytest.raises(SchemaTooNew, match=f"version {newer}"):
        other.open()
