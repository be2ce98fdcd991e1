"""Tenants and users."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from domain.errors import AlreadyExists
from ports.repositories import TenantQuery
from tests.contract.builders import entity, event, tenant, user


def test_tenant_round_trip_and_lookup_by_artifact(database):
    original = tenant("t1", roles=[{"name": "enumerator"}], entityForms=[{"name": "x"}])
    with database() as uow:
        uow.tenants.add(original)
        uow.commit()
    with database() as uow:
        assert uow.tenants.get("t1") == original
        assert uow.tenants.get_by_artifact(original.artifact_id) == original
        assert uow.tenants.get_by_artifact("f" * 32) is None


def test_adding_an_existing_tenant_id_fails(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    with database() as uow, pytest.raises(AlreadyExists):
        uow.tenants.add(tenant("t1"))


def test_update_replaces_the_tenant(database):
    with database() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    changed = attrs.evolve(tenant("t1"), name="Renamed", config={"id": "t1", "name": "Renamed"})
    with database() as uow:
        uow.tenants.update(changed)
        uow.commit()
    with database() as uow:
        assert uow.tenants.get("t1") == changed


def test_delete_removes_the_tenant_and_all_of_its_data_only(database):
    with database() as uow:
        for tid in ("t1", "t2"):
            uow.tenants.add(tenant(tid))
            uow.events.claim(tid, [event("g1")])
            uow.events.number(tid, [event("g1")])
            uow.entities.save_many(tid, [entity("e1")], {"e1": ["n:ann"]})
        uow.commit()
    with database() as uow:
        assert uow.tenants.delete("t1") is True
        assert uow.tenants.delete("missing") is False
        uow.commit()
    with database() as uow:
        assert uow.tenants.get("t1") is None
        assert uow.events.page("t1", 0, 10) == []
        assert uow.entities.count("t1") == 0
        assert uow.events.head("t1") == 0
        assert len(uow.events.page("t2", 0, 10)) == 1
        assert uow.entities.count("t2") == 1
    with database() as uow:  # the id can be reused from scratch
        uow.tenants.add(tenant("t1"))
        uow.events.claim("t1", [event("g1")])
        assert uow.events.number("t1", [event("g1")]) == [1]


def test_page_sorts_searches_and_counts_live_entities(database):
    with database() as uow:
        uow.tenants.add(tenant("b-id", name="Alpha"))
        uow.tenants.add(tenant("a-id", name="beta"))
        uow.tenants.add(tenant("c-id", name="Gamma", version="2.0.1"))
        uow.entities.save_many("c-id", [entity("e1"), entity("e2"), entity("e3", deleted=True)], {})
        uow.entities.save_many("a-id", [entity("e1")], {})
        uow.commit()
    with database() as uow:
        rows, total = uow.tenants.page(TenantQuery())
        assert total == 3
        assert [r.tenant.id for r in rows] == ["b-id", "a-id", "c-id"]  # by name, no case
        assert {r.tenant.id: r.entities_count for r in rows} == {"b-id": 0, "a-id": 1, "c-id": 2}
        rows, _ = uow.tenants.page(TenantQuery(sort_by="entitiesCount", descending=True))
        assert [r.tenant.id for r in rows] == ["c-id", "a-id", "b-id"]
        rows, _ = uow.tenants.page(TenantQuery(sort_by="id"))
        assert [r.tenant.id for r in rows] == ["a-id", "b-id", "c-id"]
        rows, total = uow.tenants.page(TenantQuery(search="ALPH"))
        assert (total, [r.tenant.id for r in rows]) == (1, ["b-id"])
        rows, total = uow.tenants.page(TenantQuery(search="2.0"))
        assert (total, [r.tenant.id for r in rows]) == (1, ["c-id"])
        rows, total = uow.tenants.page(TenantQuery(page=2, page_size=2))
        assert (total, [r.tenant.id for r in rows]) == (3, ["c-id"])
        assert uow.tenants.list_ids() == ["a-id", "b-id", "c-id"]


def test_users_get_ids_and_unique_case_insensitive_emails(database):
    with database() as uow:
        first = uow.users.add(user("ann@example.org", role="ADMIN", tenants=("*",)))
        second = uow.users.add(user("bob@example.org"))
        uow.commit()
    assert first.id != second.id and first.id > 0
    with database() as uow:
        assert uow.users.get(first.id) == first
        assert uow.users.get_by_email("ANN@example.org") == first
        assert uow.users.get_by_email("nobody@example.org") is None
        assert [u.id for u in uow.users.list()] == sorted([first.id, second.id])
        assert uow.users.count_admins() == 1
        with pytest.raises(AlreadyExists):
            uow.users.add(user("ann@example.org"))


def test_user_update_and_delete(database):
    with database() as uow:
        ann = uow.users.add(user("ann@example.org"))
        bob = uow.users.add(user("bob@example.org"))
        uow.commit()
    with database() as uow:
        uow.users.update(
            attrs.evolve(ann, email="ann2@example.org", tenants=("t1", "t2"), disabled=True)
        )
        with pytest.raises(AlreadyExists):
            uow.users.update(attrs.evolve(bob, email="ann2@example.org"))
        uow.commit()
    with database() as uow:
        stored = uow.users.get(ann.id)
        assert stored is not None
        assert (stored.email, stored.tenants, stored.disabled) == (
            "ann2@example.org",
            ("t1", "t2"),
            True,
        )
        assert uow.users.delete(ann.id) is True
        assert uow.users.delete(ann.id) is False
        uow.commit()
    with database() as uow:
        assert uow.users.get(ann.id) is None


def test_updating_an_unknown_user_changes_nothing(database):
    ghost = attrs.evolve(user("ghost@example.org"), id=987_654)
    with database() as uow:
        uow.users.update(ghost)
        uow.commit()
    with database() as uow:
        assert uow.users.get(987_654) is None
        assert uow.users.list() == []


def test_page_can_be_limited_to_some_tenants(database):
    with database() as uow:
        for tid, name in (("a-id", "Alpha"), ("b-id", "Beta"), ("c-id", "Gamma")):
            uow.tenants.add(tenant(tid, name=name))
        uow.commit()
    with database() as uow:
        rows, total = uow.tenants.page(TenantQuery(ids=("c-id", "a-id", "missing")))
        assert (total, [r.tenant.id for r in rows]) == (2, ["a-id", "c-id"])
        rows, total = uow.tenants.page(TenantQuery(ids=("c-id", "a-id"), search="gam"))
        assert (total, [r.tenant.id for r in rows]) == (1, ["c-id"])
        rows, total = uow.tenants.page(TenantQuery(ids=("a-id", "b-id"), page=2, page_size=1))
        assert (total, [r.tenant.id for r in rows]) == (2, ["b-id"])
        assert uow.tenants.page(TenantQuery(ids=())) == ([], 0)


def test_updated_at_is_the_stored_time_or_none(database):
    stamped = attrs.evolve(tenant("t1"), updated_at=datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC))
    with database() as uow:
        uow.tenants.add(stamped)
        uow.tenants.add(attrs.evolve(tenant("t2"), updated_at=None))
        uow.commit()
    with database() as uow:
        assert uow.tenants.updated_at("t1") == stamped.updated_at
        assert uow.tenants.updated_at("t2") is None
        assert uow.tenants.updated_at("nobody") is None
