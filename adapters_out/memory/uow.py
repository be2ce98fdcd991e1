"""In-memory unit of work: serialised by one lock, isolated by cloning, atomic by swapping."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from adapters_out.memory.accounts import MemoryTenants, MemoryUsers
from adapters_out.memory.entities import MemoryEntities
from adapters_out.memory.events import MemoryEvents
from adapters_out.memory.external import MemoryExternal
from adapters_out.memory.leases import MemoryLeases
from adapters_out.memory.operations import (
    MemoryFeedRestores,
    MemoryJobRuns,
    MemoryPullActivity,
    MemoryRetention,
)
from adapters_out.memory.refresh_tokens import MemoryRefreshTokens
from adapters_out.memory.review import (
    MemoryAudit,
    MemoryConflicts,
    MemoryDuplicates,
    MemoryQuarantine,
)
from adapters_out.memory.state import MemoryState


class MemoryUnitOfWork:
    def __init__(self, working: MemoryState) -> None:
        self.state = working
        self.tenants = MemoryTenants(working)
        self.users = MemoryUsers(working)
        self.events = MemoryEvents(working)
        self.entities = MemoryEntities(working)
        self.conflicts = MemoryConflicts(working)
        self.duplicates = MemoryDuplicates(working)
        self.quarantine = MemoryQuarantine(working)
        self.audit = MemoryAudit(working)
        self.leases = MemoryLeases(working)
        self.retention = MemoryRetention(working)
        self.pull_activity = MemoryPullActivity(working)
        self.job_runs = MemoryJobRuns(working)
        self.refresh_tokens = MemoryRefreshTokens(working)
        self.external = MemoryExternal(working)
        self.feed_restores = MemoryFeedRestores(working)
        self.committed = False

    def lock_entities(self, tenant_id: str, guids: Collection[str]) -> None:
        """Nothing to do: the database lock already serialises every unit of work."""

    def commit(self) -> None:
        self.committed = True


class MemoryDatabase:
    """The shared store plus the ``UnitOfWorkFactory`` over it."""

    def __init__(self) -> None:
        self.state = MemoryState()
        self._lock = threading.RLock()

    @contextmanager
    def __call__(self, *, read_only: bool = False) -> Iterator[MemoryUnitOfWork]:
        if read_only:
            # The published state is never mutated (writers swap in a new one), so a reader
            # takes no lock; the clone protects it from repositories that create keys.
            yield MemoryUnitOfWork(self.state.clone())
            return
        with self._lock:
            uow = MemoryUnitOfWork(self.state.clone())
            yield uow
            if uow.committed:
                self.state = uow.state

    def check(self) -> dict[str, object]:
        return {"backend": "memory", "latency_ms": 0.0}
