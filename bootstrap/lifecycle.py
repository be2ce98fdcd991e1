"""Start-up steps shared by the gunicorn hooks and the CLI, with failures as one clear line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

import structlog

from bootstrap.container import build_container
from bootstrap.first_start import prepare_database
from bootstrap.metrics import use_multiprocess_dir
from bootstrap.settings import Settings
from domain.errors import DomainError
from ports.errors import SchemaTooNew, StorageUnavailable

T = TypeVar("T")
log = structlog.get_logger("bootstrap")


class StartupError(Exception):
    """Start-up cannot continue; the message says why and what to do."""


@contextmanager
def explained() -> Iterator[None]:
    """Turn the failures we expect at start-up into a ``StartupError`` with a useful message."""
    try:
        yield
    except StartupError:
        raise
    except StorageUnavailable as error:
        text = str(error)
        prefix = "" if text.startswith("the database") else "the database is unavailable: "
        raise StartupError(f"{prefix}{text} (check POSTGRES / DATA_DIR)") from error
    except SchemaTooNew as error:
        raise StartupError(
            f"the database was migrated by a newer release of this server: {error}"
        ) from error
    except OSError as error:
        raise StartupError(f"{error.strerror or error}: {error.filename or ''}".strip()) from error


def prepare(settings: Settings, out: TextIO = sys.stdout) -> None:
    """gunicorn ``on_starting``: the metrics directory (first: prometheus_client must not be
    imported before it is set, and the workers inherit it), migrate, ensure the initial admin.
    Exits the master (status 1) with one line on stderr when that is impossible."""
    _or_exit(lambda: _prepare(settings, out))


def _prepare(settings: Settings, out: TextIO) -> None:
    try:
        with explained():
            use_multiprocess_dir(settings)
            prepare_database(settings, build_container(settings), out)
    except DomainError as error:  # e.g. the initial admin is refused
        raise StartupError(error.message) from error


def announce_ready(settings: Settings, out: TextIO = sys.stdout) -> None:
    base = settings.local_url
    log.info(
        "server ready",
        url=base,
        docs=f"{base}/api-docs",
        public_base_url=settings.public_base_url,
        workers=settings.web_concurrency,
        threads=settings.web_threads,
    )
    out.write(f"DataCollect Sync Server listening on {base}  (API docs: {base}/api-docs)\n")
    out.flush()


def _or_exit(step: Callable[[], T]) -> T:
    try:
        return step()
    except StartupError as error:
        sys.stderr.write(f"datacollect: cannot start: {error}\n")
        sys.stderr.flush()
        raise SystemExit(1) from None
