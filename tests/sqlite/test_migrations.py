"""Versioned migrations: empty -> latest, latest -> latest is a no-op, newer -> refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters_out.sqlite import SqliteDatabase
from adapters_out.sqlite.schema import _statements, available
from ports.errors import SchemaTooNew

TABLES = {
    "tenants",
    "users",
    "feed_heads",
    "events",
    "event_touches",
    "entities",
    "entity_match_keys",
    "conflicts",
    "potential_duplicates",
    "quarantine",
    "audit_log",
    "external_outbox",
    "leases",
    "pull_activity",
    "job_runs",
    "refresh_tokens",
    "feed_restores",
    "external_id_map",
    "external_cursors",
    "external_runs",
    "external_callback_tokens",
    "schema_migrations",
}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall()
    conn.close()
    return {name for (name,) in rows} - {"sqlite_sequence"}


def test_an_empty_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "data.db")
    assert db.schema_version() == 0
    applied = db.migrate()
    latest = available()[-1]
    assert applied == [f"{m.version:04d}_{m.name}" for m in available()]
    assert applied[0] == "0001_initial"
    assert db.schema_version() == latest.version
    assert _tables(tmp_path / "data.db") == TABLES
    db.close()


def test_migrating_a_current_database_is_a_no_op(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "data.db")
    db.migrate()
    version = db.schema_version()
    assert db.migrate() == []
    assert SqliteDatabase(tmp_path / "data.db").migrate() == []  # another process, later
    assert db.schema_version() == version
    with sqlite3.connect(tmp_path / "data.db") as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    conn.close()
    assert rows == [(m.version, m.name) for m in available()]
    db.close()


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "data.db")
    db.migrate()
    with sqlite3.connect(tmp_path / "data.db") as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at)"
            " VALUES (9999, 'from_the_future', '2030-01-01T00:00:00.000000Z')"
        )
    conn.close()
    with pytest.raises(SchemaTooNew, match=r"schema version 9999.*upgrade the server"):
        db.migrate()
    assert db.schema_version() == 9999  # nothing was touched
    db.close()


def test_concurrent_migrations_apply_each_version_once(tmp_path: Path) -> None:
    first, second = SqliteDatabase(tmp_path / "d.db"), SqliteDatabase(tmp_path / "d.db")
    applied = first.migrate() + second.migrate()
    assert sorted(applied) == sorted(f"{m.version:04d}_{m.name}" for m in available())
    first.close()
    second.close()


def test_a_failing_migration_leaves_no_trace(tmp_path: Path, monkeypatch) -> None:
    from adapters_out.sqlite import schema

    broken = schema.Migration(1, "broken", "CREATE TABLE a (x INTEGER);\nNOT SQL AT ALL;\n")
    monkeypatch.setattr(schema, "available", lambda: [broken])
    db = SqliteDatabase(tmp_path / "data.db")
    with pytest.raises(sqlite3.OperationalError):
        db.migrate()
    assert db.schema_version() == 0
    assert "a" not in _tables(tmp_path / "data.db")
    db.close()


def test_scripts_split_into_statements_respecting_quotes_comments_and_triggers() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
        "  UPDATE t SET x = 'y';\n"
        "END;\n"
        "-- trailing comment\n"
    )
    statements = _statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
