"""Versioned schema migrations: ``migrations/NNNN_name.sql`` files, applied once each, in order.

``schema_migrations`` records what is applied. A database migrated by a newer server (a
version this code does not know) is refused with ``SchemaTooNew`` rather than used.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import attrs
import psycopg
from psycopg import sql

from ports.errors import SchemaTooNew

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Serialises servers that start together and all try to migrate (any constant would do).
_MIGRATION_LOCK = 0x44435F4D49475241  # "DC_MIGRA"
_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)


@attrs.frozen
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    folder = resources.files("adapters_out.postgres.migrations")
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            stem = entry.name.removesuffix(".sql")
            found.append(Migration(int(match.group(1)), stem, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if len({m.version for m in found}) != len(found):
        raise RuntimeError("two PostgreSQL migrations share a version number")
    return found


def latest_version() -> int:
    migrations = available()
    return migrations[-1].version if migrations else 0


def recorded_version(conn: psycopg.Connection[Any]) -> int:
    """The applied version, 0 for an empty database (the table resolves via search_path)."""
    row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return row[0] if row else 0


def refuse_newer(current: int, known: int) -> None:
    if current > known:
        raise SchemaTooNew(
            f"the database schema is at version {current}, but this server only knows versions"
            f" up to {known}: it was migrated by a newer release; run that release (or newer)"
        )


def migrate(conn: psycopg.Connection[Any], schema: str | None) -> list[str]:
    """Apply pending migrations in one transaction; returns their names (``0001_initial``),
    as the SQLite adapter does, so the CLI reports both alike."""
    migrations = available()
    known = migrations[-1].version if migrations else 0
    with conn.transaction():
        # Lock first: two servers creating the same schema at once would otherwise collide.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        if schema is not None:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(_CREATE_TABLE)
        current = recorded_version(conn)
        refuse_newer(current, known)
        applied = []
        for migration in migrations:
            if migration.version <= current:
                continue
            conn.execute(sql.SQL(migration.sql), prepare=False)  # type: ignore[arg-type]
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied.append(migration.name)
        return applied
