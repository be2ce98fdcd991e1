"""PostgreSQL-only tests: the application's use cases on a fresh schema of a real server."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest

from adapters_out.postgres import PostgresDatabase
from adapters_out.system import RandomIds, SystemClock
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from ports.clock import Clock
from tests.support.cursors import CURSORS
from tests.support.postgres_backend import postgres_database


@attrs.frozen
class Wired:
    db: PostgresDatabase
    push: PushEvents
    pull: PullEvents


def wire(db: PostgresDatabase, clock: Clock | None = None, *tenant_ids: str) -> Wired:
    """The push and pull use cases on ``db`` (as ``tests/conftest.py`` does on memory), with
    the given tenants created."""
    with db() as uow:
        for tenant_id in tenant_ids:
            uow.tenants.add(Tenant(id=tenant_id, name=tenant_id, artifact_id=tenant_id * 32))
        uow.commit()
    push = PushEvents(
        db,
        clock or SystemClock(),
        RandomIds(),
        EventTypes(),
        DuplicateDetector(stdlib_similarity),
    )
    return Wired(db=db, push=push, pull=PullEvents(db, CURSORS))


@pytest.fixture
def pg() -> Iterator[PostgresDatabase]:
    # 16 writers + 4 readers in the concurrency test, plus slack for the test's own reads.
    with postgres_database(max_size=24) as db:
        yield db
