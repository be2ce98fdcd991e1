"""App configuration use cases on the in-memory database (no HTTP)."""

from __future__ import annotations

import pytest

from adapters_out.memory.uow import MemoryDatabase
from adapters_out.secrets.boxes import PlainSecretBox
from application.duplicate_detection import DuplicateDetector
from application.push import PushEvents
from application.tenant_reads import AppListRequest, GetTenant, ListTenants
from application.tenant_seeding import SeedEntities
from application.tenants import CreateTenant, DeleteTenant, TenantConfigRules, UpdateTenant
from domain.duplicates import stdlib_similarity
from domain.errors import AlreadyExists, Forbidden, NotFound, ValidationFailed
from domain.event_types import EventTypes
from domain.users import Principal
from tests.http.tenants.samples import minimal_config
from tests.support.clock import CountingIds, SteppingClock

ADMIN = Principal(user_id="1", email="a@x.org", role="ADMIN", tenants=("*",))


class Apps:
    def __init__(self) -> None:
        self.db, clock, ids = MemoryDatabase(), SteppingClock(), CountingIds()
        push = PushEvents(self.db, clock, ids, EventTypes(), DuplicateDetector(stdlib_similarity))
        box, rules = PlainSecretBox(warn=False), TenantConfigRules(sync_types=("mock",))
        self.seeder = SeedEntities(self.db, push, clock)
        self.create = CreateTenant(self.db, clock, ids, box, self.seeder, rules)
        self.update = UpdateTenant(self.db, clock, box, self.seeder, rules)
        self.delete = DeleteTenant(self.db)
        self.list = ListTenants(self.db)
        self.get = GetTenant(self.db)


@pytest.fixture
def apps() -> Apps:
    found = Apps()
    for index, name in enumerate(["Delta", "alpha", "Charlie", "bravo"]):
        found.create(ADMIN, minimal_config(f"t{index}", name=name))
    return found


def user(*tenants: str, provider: str | None = None) -> Principal:
    return Principal(user_id="9", email=None, role="USER", tenants=tenants, provider=provider)


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.tenant.name for row in page.items]


def test_a_user_lists_only_granted_tenants_with_paging_and_search(apps: Apps) -> None:
    granted = user("t0", "t1", "t2", "gone")
    page = apps.list(granted, AppListRequest(page_size=2, page=5))
    assert (page.total, page.page, page.total_pages) == (3, 2, 2)
    assert names(page) == ["Delta"]
    assert names(apps.list(granted, AppListRequest(sort_order="desc"))) == [
        "Delta",
        "Charlie",
        "alpha",
    ]
    assert names(apps.list(granted, AppListRequest(search="ALP"))) == ["alpha"]
    assert apps.list(user(), AppListRequest()).total == 0
    assert apps.list(user("*"), AppListRequest()).total == 4
    assert apps.list(user("t3", provider="keycloak"), AppListRequest()).total == 1


def test_admin_only_writes_and_tenant_checked_reads(apps: Apps) -> None:
    with pytest.raises(Forbidden):
        apps.create(user("*"), minimal_config("new"))
    with pytest.raises(Forbidden):
        apps.delete(user("t0"), "t0")
    with pytest.raises(Forbidden):
        apps.get(user("t1"), "t0")
    assert apps.get(user("t0"), "t0")["name"] == "Delta"
    with pytest.raises(AlreadyExists):
        apps.create(ADMIN, minimal_config("t0"))
    with pytest.raises(NotFound):
        apps.delete(ADMIN, "nope")


def test_injected_sync_types_and_id_mismatch(apps: Apps) -> None:
    with pytest.raises(ValidationFailed) as caught:
        apps.create(ADMIN, minimal_config("x", externalSync={"type": "openfn-adapter"}))
    assert caught.value.problems[0][:2] == ("/externalSync/type", "unsupported")
    with pytest.raises(ValidationFailed) as caught:
        apps.update(ADMIN, "t0", minimal_config("t1"))
    assert [p[:2] for p in caught.value.problems] == [("/id", "id-mismatch")]


def test_server_keys_in_uploads_are_ignored(apps: Apps) -> None:
    doc = minimal_config("z", artifactId="f" * 32, syncServerUrl="http://evil")
    saved = apps.create(ADMIN, doc)
    assert saved.artifact_id != "f" * 32
    stored = apps.get(ADMIN, "z")
    assert stored["artifactId"] == saved.artifact_id and "syncServerUrl" not in stored


def test_changed_seed_records_update_their_entities_once(apps: Apps) -> None:
    seeds = [{"name": "person", "data": [{"id": "p1", "name": "Ann"}, {"name": "Bo"}]}]
    first = apps.create(ADMIN, minimal_config("s", entityData=seeds))
    assert first.seeded == 2
    seeds[0]["data"][0]["name"] = "Anna"
    again = apps.update(ADMIN, "s", minimal_config("s", entityData=seeds))
    assert again.seeded == 1
    assert apps.update(ADMIN, "s", minimal_config("s", entityData=seeds)).seeded == 0
    with apps.db() as uow:
        assert uow.entities.count("s") == 2
        assert uow.entities.get("s", "p1").name == "Anna"
