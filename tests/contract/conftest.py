"""One contract suite, every storage implementation: memory, SQLite, PostgreSQL.

The SQLite and PostgreSQL backends are provided by ``tests/support/sqlite_backend.py`` and
``tests/support/postgres_backend.py``; each exposes a context manager yielding a fresh,
isolated, migrated database object that is a ``UnitOfWorkFactory``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from adapters_out.memory.uow import MemoryDatabase

BACKENDS = ["memory", "sqlite", "postgres"]


@contextmanager
def open_backend(name: str, tmp_path: Path) -> Iterator[object]:
    if name == "memory":
        yield MemoryDatabase()
    elif name == "sqlite":
        from tests.support.sqlite_backend import sqlite_database

        with sqlite_database(tmp_path) as db:
            yield db
    else:
        from tests.support.postgres_backend import postgres_database

        with postgres_database() as db:
            yield db


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    with open_backend(request.param, tmp_path) as db:
        yield db


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """The SQL adapters only: for tests that compare them with the in-memory reference."""
    with open_backend(request.param, tmp_path) as db:
        yield db
