"""The application use cases wired to an in-memory database, for fast tests."""

from __future__ import annotations

import attrs

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


@attrs.define
class App:
    db: MemoryDatabase
    clock: SteppingClock
    push: PushEvents
    pull: PullEvents

    def states(self, tenant_id: str = "t1") -> dict[str, tuple]:
        """Entity states without arrival-dependent metadata (provenance receipt times)."""
        with self.db() as uow:
            entities = uow.state.entities.get(tenant_id, {})
            return {
                g: (
                    e.type,
                    e.name,
                    dict(e.data),
                    e.version,
                    e.member_ids,
                    e.deleted,
                    e.last_updated,
                )
                for g, e in entities.items()
            }

    def feed(self, tenant_id: str = "t1") -> list[str]:
        page = self.pull(tenant_id, ADMIN, None, 1000)
        return [e.guid for e in page.events]


def make_app(*tenant_ids: str) -> App:
    db, clock = MemoryDatabase(), SteppingClock()
    with db() as uow:
        for tenant_id in tenant_ids or ("t1",):
            uow.tenants.add(Tenant(id=tenant_id, name=tenant_id, artifact_id="0" * 32))
        uow.commit()
    push = PushEvents(db, clock, CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity))
    return App(db=db, clock=clock, push=push, pull=PullEvents(db, CURSORS))
