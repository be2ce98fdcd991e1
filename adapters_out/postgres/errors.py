"""Turn driver errors into the errors the application understands (no psycopg type leaks out)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors

from ports.errors import StorageUnavailable, TransientConflict

# Both abort the transaction but say nothing about the data: the whole unit of work may be
# retried as is (application.retry).
_TRANSIENT = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


class StorageError(RuntimeError):
    """A database error that is neither an outage nor transient: a bug or an unexpected state.

    Carries the SQLSTATE so that logs say what happened without exposing the driver's types.
    """

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def storage_unavailable(error: BaseException) -> StorageUnavailable:
    # The libpq message names host and port, never the password.
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return StorageUnavailable(f"the database is unavailable: {detail}")


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise psycopg errors as ``ports.errors`` ones; every other exception passes through."""
    try:
        yield
    except _TRANSIENT as error:  # before OperationalError: they are subclasses of it
        raise TransientConflict(str(error).strip()) from error
    except psycopg.OperationalError as error:  # includes PoolTimeout and PoolClosed
        raise storage_unavailable(error) from error
    except psycopg.Error as error:
        raise StorageError(
            f"database error {error.sqlstate or ''}: {str(error).strip()}".replace("  ", " "),
            error.sqlstate,
        ) from error
