"""Versioned schema migrations: ``migrations/NNNN_name.sql`` files applied in order, once.

``schema_migrations`` records what was applied. Each migration runs in its own
``BEGIN IMMEDIATE`` transaction, so two processes migrating at once take turns and the second
finds nothing left to do.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from importlib import resources

import attrs

from adapters_out.sqlite.codec import to_text
from ports.errors import SchemaTooNew

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@attrs.frozen
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migrations shipped with this code, oldest first."""
    found = []
    for entry in resources.files("adapters_out.sqlite.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if len({m.version for m in found}) != len(found):
        raise RuntimeError("two SQLite migrations share a version number")
    return found


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT"
    )


def current_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def refuse_newer(version: int, known: list[Migration]) -> None:
    latest = known[-1].version if known else 0
    if version > latest:
        raise SchemaTooNew(
            f"the SQLite database is at schema version {version}, but this server only knows "
            f"versions up to {latest}: it was migrated by a newer release; upgrade the server "
            "(or restore a backup taken before that upgrade)"
        )


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (``sqlite3.complete_statement`` understands
    quotes, comments and trigger bodies). ``executescript`` cannot be used: it commits first."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in pending.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending!r}")
    return statements


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration; returns the names applied (empty when current)."""
    known = available()
    applied: list[str] = []
    for migration in known:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _ensure_table(conn)
            version = current_version(conn)
            refuse_newer(version, known)
            if migration.version <= version:
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_text(datetime.now(UTC))),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(f"{migration.version:04d}_{migration.name}")
    if not applied:  # nothing pending: still refuse a database from the future
        refuse_newer(current_version(conn), known)
    return applied
