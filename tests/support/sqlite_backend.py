"""The SQLite backend for the contract suite: a fresh, migrated database file per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters_out.sqlite import SqliteDatabase


@contextmanager
def sqlite_database(tmp_path: Path, *, busy_timeout_ms: int = 5000) -> Iterator[SqliteDatabase]:
    """A migrated ``SqliteDatabase`` on a new file under ``tmp_path``, closed afterwards."""
    path = tmp_path / "sqlite" / "datacollect.db"
    index = 0
    while path.exists():  # several databases in one test each get their own file
        index += 1
        path = tmp_path / "sqlite" / f"datacollect-{index}.db"
    db = SqliteDatabase(path, busy_timeout_ms=busy_timeout_ms)
    try:
        db.migrate()
        yield db
    finally:
        db.close()
