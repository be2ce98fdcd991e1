"""One runner at a time, across worker processes and hosts: named leases in the database.

A job (the retention cleanup, a scheduled or triggered external-sync run) takes its lease in a
short unit of work of its own, so every other process sees it at once, keeps it alive with
``renew()`` while it works, and gives it up when done. A holder that dies without releasing
it blocks the name only until the lease expires, so ``ttl_s`` should comfortably exceed the
time between two renewals.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from application.retry import with_retries
from ports.clock import Clock, IdGenerator
from ports.errors import StorageUnavailable
from ports.repositories import UnitOfWorkFactory

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """The lease expired and someone else took it: the job must stop writing."""


class HeldLease:
    def __init__(self, leases: Leases, name: str, holder: str, ttl_s: float) -> None:
        self._leases, self.name, self.holder, self._ttl_s = leases, name, holder, ttl_s

    def renew(self) -> None:
        """Push the expiry ``ttl_s`` ahead again; raises ``LeaseLost`` if it was taken over."""
        if not self._leases.try_acquire(self.name, self.holder, self._ttl_s):
            raise LeaseLost(self.name)


class Leases:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow_factory, self._clock, self._ids = uow_factory, clock, ids

    @contextmanager
    def held(self, name: str, ttl_s: float) -> Iterator[HeldLease | None]:
        """Yield the held lease, or None when another holder has it (nothing is waited for)."""
        holder = self._ids.new_id()
        if not self.try_acquire(name, holder, ttl_s):
            yield None
            return
        try:
            yield HeldLease(self, name, holder, ttl_s)
        finally:
            self._release(name, holder)

    def try_acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        def attempt() -> bool:
            now = self._clock.now()
            with self._uow_factory() as uow:
                taken = uow.leases.acquire(name, holder, now, now + timedelta(seconds=ttl_s))
                uow.commit()
            return taken

        return with_retries(attempt)

    def holder(self, name: str) -> str | None:
        with self._uow_factory(read_only=True) as uow:
            return uow.leases.holder(name, self._clock.now())

    def _release(self, name: str, holder: str) -> None:
        try:
            with self._uow_factory() as uow:
                uow.leases.release(name, holder)
                uow.commit()
        except StorageUnavailable:
            # The database went away during the job: the lease expires by itself.
            log.warning("lease %s not released; it will expire", name)
