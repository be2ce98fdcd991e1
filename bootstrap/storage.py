"""Which database: ``POSTGRES`` set -> PostgreSQL (pooled), else one SQLite file in DATA_DIR.

Building a database object does no I/O. Each process opens its own after the fork (psycopg
pools and SQLite connections must not cross a ``fork()``), and closes it when it exits.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from bootstrap.settings import Settings
from ports.limits import RateLimits
from ports.repositories import UnitOfWork


class ManagedDatabase(Protocol):
    """What bootstrap needs beyond the ports: the lifecycle of the concrete adapter."""

    def __call__(self) -> AbstractContextManager[UnitOfWork]: ...
    def migrate(self) -> list[str]: ...
    def check(self) -> dict[str, Any]: ...
    def close(self) -> None: ...


def build_database(settings: Settings) -> ManagedDatabase:
    if settings.postgres_url:
        from adapters_out.postgres import PostgresDatabase

        return PostgresDatabase(
            settings.postgres_url,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            timeout_s=settings.db_timeout_s,
        )
    from adapters_out.sqlite import SqliteDatabase

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteDatabase(settings.sqlite_path, busy_timeout_ms=round(settings.db_timeout_s * 1000))


def build_rate_limits(settings: Settings, db: ManagedDatabase) -> RateLimits:
    """Where limits are counted: the PostgreSQL server every host shares (an UNLOGGED table),
    or ``DATA_DIR/limits.sqlite3``, shared by the workers of this host. Opens nothing yet."""
    if settings.postgres_url:
        from adapters_out.postgres.limits import PgRateLimits

        return PgRateLimits(db)  # type: ignore[arg-type]  # a PostgresDatabase here
    from adapters_out.sqlite.limits import SqliteRateLimits

    return SqliteRateLimits(
        settings.data_dir / "limits.sqlite3", busy_timeout_ms=round(settings.db_timeout_s * 1000)
    )


def open_database(db: ManagedDatabase) -> None:
    """Fail fast: PostgreSQL fills its pool now (a bad DSN stops the start, not a request)."""
    opener: Callable[..., Any] | None = getattr(db, "open", None)
    if opener is not None:
        opener(wait=True)


def describe(settings: Settings) -> str:
    if settings.postgres_url:
        from bootstrap.settings import mask_url

        return f"PostgreSQL {mask_url(settings.postgres_url)}"
    return f"SQLite {settings.sqlite_path}"
