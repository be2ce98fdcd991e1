"""Two tenants: a USER granted only A can neither see nor change anything of B through any
tenant or review route, and nothing of B leaks into A's answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.http.access import Target, example, operations, schemes
from tests.http.tenants.helpers import person_config, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env, make_env
from tests.support.events import at, wire_event


def person(guid: str, minute: float) -> dict:
    data = {"name": "John Smith", "dateOfBirth": "1990-01-02", "entityName": "person"}
    return wire_event("create-individual", guid, data, timestamp=at(minute), guid=f"ev-{guid}")


@pytest.fixture
def two(env: Env, admin: dict[str, str]) -> dict[str, str]:
    for tenant in ("a", "b"):
        assert upload(env, admin, person_config(tenant)).status_code == 201
        push(env, admin, tenant, person(f"{tenant}-1", 1), person(f"{tenant}-2", 2))
        push(env, admin, tenant, {"guid": f"bad-{tenant}", "type": "nope"})
    return env.add_user(2, USER_ROLE, ("a",))


def _document() -> dict[str, Any]:
    env, _ = make_env()
    return env.client.simulate_get("/api-docs/openapi.json").json  # type: ignore[no-any-return]


# Every documented operation that a USER reaches with our token only when granted (or only as
# an ADMIN): all of them, generated from the document, so a new route cannot escape the check.
GUARDED = [
    f"{method} {uri}"
    for method, uri, operation in operations(_document())
    if operation["x-access"] in ("tenant", "admin") and "bearerAuth" in schemes(operation)
]


def _target_b(env: Env) -> Target:
    with env.db(read_only=True) as uow:
        tenant = uow.tenants.get("b")
    assert tenant is not None
    return Target(
        tenant="b",
        config=person_config("b"),
        artifact=tenant.artifact_id,
        user_id=1,
        entity="b-1",
        rejected="bad-b",
        duplicate=("b-2", "b-1"),
        entity_set="person",
    )


@pytest.mark.parametrize("operation", GUARDED)
def test_user_of_a_gets_403_on_b(env: Env, two: dict[str, str], operation: str) -> None:
    method, uri = operation.split(" ", 1)
    call = example(method, uri, _target_b(env))
    result = env.client.simulate_request(
        method, call.path, params=dict(call.params), json=call.json, headers=two
    )
    assert result.status_code == 403, (operation, result.text)


def test_b_is_unchanged_and_invisible_from_a(env: Env, admin: dict[str, str], two: dict) -> None:
    listed = env.client.simulate_get("/api/apps", headers=two).json
    assert [r["id"] for r in listed["data"]] == ["a"] and listed["meta"]["total"] == 1
    entities = env.client.simulate_get("/api/entities", params={"configId": "a"}, headers=two)
    assert {e["guid"] for e in entities.json} == {"a-1", "a-2"}
    cross = env.client.simulate_get("/api/entities/b-1", params={"configId": "a"}, headers=two)
    assert cross.status_code == 404
    cross_events = env.client.simulate_get(
        "/api/entities/b-1/events", params={"configId": "a"}, headers=two
    )
    assert cross_events.json == []
    pairs = env.client.simulate_get(
        "/api/potential-duplicates", params={"configId": "a"}, headers=two
    ).json
    assert {p["entityGuid"] for p in pairs} | {p["duplicateGuid"] for p in pairs} == {"a-1", "a-2"}
    with env.db() as uow:
        assert uow.tenants.get("b") is not None
        assert uow.entities.count("b") == 2
        assert uow.quarantine.count("b") == 1
        assert uow.duplicates.count("b", "pending") == 1
    # Even an admin cannot reach B's data through A's configId.
    resolve = env.client.simulate_post(
        "/api/potential-duplicates/resolve",
        json={"newItem": "b-2", "existingItem": "b-1", "configId": "a"},
        headers=admin,
    )
    assert resolve.status_code == 404
    retry = env.client.simulate_post(
        "/api/sync/rejected/bad-b/retry", params={"configId": "a"}, headers=admin
    )
    assert retry.status_code == 404


def test_the_tenant_operations_are_all_checked() -> None:
    assert {"GET /api/entities", "PUT /api/apps/{id}", "GET /api/apps/{id}/export"} <= set(GUARDED)
