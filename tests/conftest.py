"""Shared fixtures: deterministic clock/ids and the application wired to memory storage."""

from __future__ import annotations

import pytest

from adapters_out.memory.uow import MemoryDatabase
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from domain.users import Principal
from tests.support.clock import CountingIds, SteppingClock
from tests.support.cursors import CURSORS

ADMIN = Principal(user_id="1", email="admin@example.org", role="ADMIN", tenants=("*",))


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def memory_db() -> MemoryDatabase:
    db = MemoryDatabase()
    with db() as uow:
        uow.tenants.add(Tenant(id="t1", name="Tenant one", artifact_id="a" * 32))
        uow.tenants.add(Tenant(id="t2", name="Tenant two", artifact_id="b" * 32))
        uow.commit()
    return db


@pytest.fixture
def push(memory_db: MemoryDatabase, clock: SteppingClock) -> PushEvents:
    return PushEvents(
        memory_db, clock, CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )


@pytest.fixture
def pull(memory_db: MemoryDatabase) -> PullEvents:
    return PullEvents(memory_db, CURSORS)
