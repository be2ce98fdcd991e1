"""Two tenants: a USER granted only A can neither see nor change anything of B through any
tenant or review route, and nothing of B leaks into A's answers."""

from __future__ import annotations

import re

import pytest

from tests.http.tenants.helpers import person_config, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env
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


B = {"configId": "b"}
RESOLVE_PAIR = {"newItem": "b-2", "existingItem": "b-1", "configId": "b"}
ROUTES = [  # (method, path, query, body): every tenant/review route, aimed at tenant b
    ("GET", "/api/apps/b", {}, None),
    ("GET", "/api/apps/b/export", {}, None),
    ("GET", "/api/entities", B, None),
    ("GET", "/api/entities/count", B, None),
    ("GET", "/api/entities/count-by-form", B, None),
    ("GET", "/api/entities/b-1", B, None),
    ("GET", "/api/entities/b-1/events", B, None),
    ("GET", "/api/potential-duplicates", B, None),
    ("PUT", "/api/apps/b", {}, person_config("b")),
    ("DELETE", "/api/apps/b", {}, None),
    ("POST", "/api/potential-duplicates/resolve", {}, RESOLVE_PAIR),
    ("GET", "/api/conflicts", B, None),
    ("POST", "/api/conflicts/x/resolve", {}, {"resolution": "keep", "configId": "b"}),
    ("POST", "/api/sync/rejected/bad-b/retry", B, None),
    ("DELETE", "/api/sync/rejected/bad-b", B, None),
]


@pytest.mark.parametrize(("method", "path", "params", "body"), ROUTES)
def test_user_of_a_gets_403_on_b(
    env: Env, two: dict[str, str], method: str, path: str, params: dict, body: dict | None
) -> None:
    result = env.client.simulate_request(method, path, params=params, json=body, headers=two)
    assert result.status_code == 403, (method, path, result.text)


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


def test_every_protected_tenant_operation_is_in_the_isolation_list(env: Env) -> None:
    """A new tenant or review route cannot escape the 403 check above: every documented
    operation of these tags that needs a token is aimed at tenant b in ``ROUTES``."""
    document = env.client.simulate_get("/api-docs/openapi.json").json
    tenant_tags = {"apps", "entities", "review"}
    tenant_wide = {("GET", "/api/apps"), ("POST", "/api/apps")}  # no tenant in the request
    protected = {
        (method.upper(), uri)
        for uri, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
        and operation.get("security")
        and tenant_tags & set(operation.get("tags", ()))
    } - tenant_wide

    def template_of(method: str, path: str) -> tuple[str, str]:
        for uri in document["paths"]:
            if re.fullmatch(re.sub(r"{[^}]*}", "[^/]+", uri), path):
                return method, uri
        raise AssertionError(f"{path} is not documented")

    covered = {template_of(method, path) for method, path, _, _ in ROUTES}
    assert protected <= covered, sorted(protected - covered)
