"""Seed a tenant's ``entityData`` through the normal push path, so devices pull the seeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.push import MAX_BATCH, PushEvents, PushOutcome
from domain.tenant_config_seeds import SEED_USER, seeds
from domain.timestamps import format_instant
from domain.users import ADMIN, ALL_TENANTS, Principal
from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory

SYSTEM = Principal(user_id=SEED_USER, email=None, role=ADMIN, tenants=(ALL_TENANTS,))


class SeedEntities:
    def __init__(self, uow_factory: UnitOfWorkFactory, push: PushEvents, clock: Clock) -> None:
        self._uow_factory, self._push, self._clock = uow_factory, push, clock

    def __call__(self, tenant_id: str, doc: Mapping[str, Any]) -> PushOutcome:
        """Submit the seed events not stored yet (re-seeding is a no-op)."""
        wanted = seeds(tenant_id, doc)
        if not wanted:
            return PushOutcome(results=())
        with self._uow_factory(read_only=True) as uow:
            stored = uow.events.get_many(tenant_id, [s.guid for s in wanted])
        timestamp = format_instant(self._clock.now())
        fresh = [s.wire(timestamp) for s in wanted if s.guid not in stored]
        results = []
        for start in range(0, len(fresh), MAX_BATCH):
            outcome = self._push(tenant_id, SYSTEM, fresh[start : start + MAX_BATCH])
            results.extend(outcome.results)
        return PushOutcome(results=tuple(results))
