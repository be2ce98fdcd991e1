"""The last pull per tenant, recorded cheaply for ``/health/sync``.

A pull only notes the instant in this process's memory (a dict under a lock). ``flush()``
writes what was noted since the last flush in one small unit of work; the worker's background
loop calls ``flush_if_due()`` so the database sees at most one write per worker every
``PULL_ACTIVITY_FLUSH`` seconds, however many pulls there are. ``last_pulls`` merges what is
stored with what this process has not flushed yet, so the answering worker is never stale.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from datetime import datetime, timedelta

from ports.clock import Clock
from ports.errors import StorageUnavailable
from ports.repositories import UnitOfWorkFactory

log = logging.getLogger(__name__)


class PullActivity:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, flush_interval_s: float = 60.0
    ) -> None:
        self._uow_factory, self._clock = uow_factory, clock
        self._interval = timedelta(seconds=flush_interval_s)
        self._lock = threading.Lock()
        self._pending: dict[str, datetime] = {}
        self._last_flush: datetime | None = None

    def note(self, tenant_id: str) -> None:
        at = self._clock.now()
        with self._lock:
            self._pending[tenant_id] = at

    def flush_if_due(self) -> bool:
        now = self._clock.now()
        with self._lock:
            if self._last_flush is not None and now - self._last_flush < self._interval:
                return False
        self.flush()
        return True

    def flush(self) -> int:
        """Write what was noted; on a database failure it is kept for the next flush."""
        with self._lock:
            batch, self._pending = self._pending, {}
            self._last_flush = self._clock.now()
        if not batch:
            return 0
        try:
            with self._uow_factory() as uow:
                uow.pull_activity.record(batch)
                uow.commit()
        except StorageUnavailable:
            with self._lock:
                for tenant_id, at in batch.items():
                    if tenant_id not in self._pending or self._pending[tenant_id] < at:
                        self._pending[tenant_id] = at
            log.warning("pull activity not flushed; kept for the next flush")
            return 0
        return len(batch)

    def last_pulls(self, tenant_ids: Collection[str]) -> dict[str, datetime]:
        with self._uow_factory(read_only=True) as uow:
            stored = uow.pull_activity.last_pulls(tenant_ids)
        with self._lock:
            unflushed = {t: self._pending[t] for t in tenant_ids if t in self._pending}
        for tenant_id, at in unflushed.items():
            if tenant_id not in stored or stored[tenant_id] < at:
                stored[tenant_id] = at
        return stored
