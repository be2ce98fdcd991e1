"""An external-sync harness over a real database (SQLite and PostgreSQL) and fake remotes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from adapters_out.external.fakes.servers import FakeMock, running
from adapters_out.external.http import Deadline
from adapters_out.external.registry import AdapterRegistry
from adapters_out.secrets.boxes import PlainSecretBox
from adapters_out.similarity import rapidfuzz_similarity
from adapters_out.system import RandomIds, SystemClock
from application.duplicate_detection import DuplicateDetector
from application.external_sync import ExternalSyncOptions, RunExternalSync
from application.external_sync_admin import ExternalSyncAdmin
from application.leases import Leases
from application.push import PushEvents
from domain.event_types import EventTypes
from domain.tenant_config_secrets import mask
from domain.tenants import Tenant
from domain.users import ADMIN, Principal
from tests.contract.conftest import open_backend

ADMIN_USER = Principal(user_id="1", email="admin@example.org", role=ADMIN)
T0 = datetime(2025, 3, 1, tzinfo=UTC)


@attrs.define
class Harness:
    db: Any
    push: PushEvents
    sync: RunExternalSync
    admin: ExternalSyncAdmin

    def add_tenant(self, tenant_id: str, external_sync: dict[str, Any] | None) -> None:
        config: dict[str, Any] = {"id": tenant_id, "name": tenant_id}
        if external_sync is not None:
            config["externalSync"] = external_sync
        masked, secrets = mask(config)
        with self.db() as uow:
            uow.tenants.add(
                Tenant(
                    id=tenant_id,
                    name=tenant_id,
                    artifact_id=uuid_hex(tenant_id),
                    config=masked,
                    secrets=secrets,
                    created_at=T0,
                    updated_at=T0,
                )
            )
            uow.commit()

    def device_push(self, tenant_id: str, events: list[dict[str, Any]]) -> None:
        outcome = self.push(tenant_id, ADMIN_USER, events)
        assert outcome.rejected == 0, outcome.results

    def outbox(self, tenant_id: str) -> dict[str, int]:
        with self.db(read_only=True) as uow:
            return uow.external.counts(tenant_id)


def uuid_hex(text: str) -> str:
    return (text.encode().hex() + "0" * 32)[:32]


def event(
    guid: str,
    entity: str,
    type_: str = "create-individual",
    at: str = "2025-01-01T00:00:00.000Z",
    **data: Any,
) -> dict[str, Any]:
    return {
        "guid": guid,
        "entityGuid": entity,
        "type": type_,
        "data": {"name": f"Person {entity}", **data},
        "timestamp": at,
        "userId": "device-1",
    }


def build(db: Any, **options: Any) -> Harness:
    clock, ids = SystemClock(), RandomIds()
    push = PushEvents(db, clock, ids, EventTypes(), DuplicateDetector(rapidfuzz_similarity))
    registry = AdapterRegistry.from_entry_points()
    sync = RunExternalSync(
        db,
        clock,
        ids,
        Leases(db, clock, ids),
        push,
        registry,
        PlainSecretBox(warn=False),
        Deadline,
        ExternalSyncOptions(**{"deadline_s": 10.0, **options}),
    )
    return Harness(db=db, push=push, sync=sync, admin=ExternalSyncAdmin(db, clock, registry))


@pytest.fixture(params=["sqlite", "postgres"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    with open_backend(request.param, tmp_path) as db:
        yield build(db)


@pytest.fixture
def fake_mock() -> Iterator[FakeMock]:
    with running(FakeMock()) as fake:
        yield fake  # type: ignore[misc]
