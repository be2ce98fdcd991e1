"""Every tenant/review HTTP test runs on each storage backend: memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from adapters_out.memory.uow import MemoryDatabase
from tests.http.tenants.wiring import Env, make_env

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], object]]:
    """Makes fresh, isolated databases of one backend (closed after the test)."""
    with ExitStack() as stack:

        def make() -> object:
            if request.param == "memory":
                return MemoryDatabase()
            if request.param == "sqlite":
                from tests.support.sqlite_backend import sqlite_database

                return stack.enter_context(sqlite_database(tmp_path))
            from tests.support.postgres_backend import postgres_database

            return stack.enter_context(postgres_database())

        yield make


@pytest.fixture
def database(databases: Callable[[], object]) -> object:
    return databases()


@pytest.fixture
def wired(database: object) -> tuple[Env, dict[str, str]]:
    return make_env(db=database)


@pytest.fixture
def env(wired: tuple[Env, dict[str, str]]) -> Env:
    return wired[0]


@pytest.fixture
def admin(wired: tuple[Env, dict[str, str]]) -> dict[str, str]:
    return wired[1]
