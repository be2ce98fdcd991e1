"""Every documented operation x every kind of caller -> 401, 403 or let in, as its ``x-access``
and ``security`` say (protocol: Authorisation; docs/hardening.md: x-access).

The operations are read from the served OpenAPI document, so a new route is in the matrix the
moment it is documented (and ``RouteModule`` makes every route documented). Two tenants: A
(``t1``, where the request is aimed) and B (``t2``); alice is granted only A, bob only B.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import attrs
import jwt
import pytest

from adapters_in.http.config import HttpConfig
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from tests.http.access import ACCESS_KINDS, Target, example, operations, schemes
from tests.http.conftest import KEYCLOAK_TOKEN, PASSWORD, SECRET, Api, MovableClock, build_api

METRICS_TOKEN = "metrics-scraper-token-0123456789"
CONFIG = HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=0, metrics_token=METRICS_TOKEN)
TENANT_A, TENANT_B = "t1", "t2"  # conftest.build_api: alice is granted t1, bob t2
CONFIG_A = {
    "id": TENANT_A,
    "name": "Tenant A",
    "authConfigs": [{"type": "keycloak", "fields": {"authority": "https://kc.example/realms/x"}}],
    "entityForms": [{"name": "person", "formio": {"components": []}}],
}


def _document() -> dict[str, Any]:
    return build_api(CONFIG).client.simulate_get("/api-docs/openapi.json").json  # type: ignore[no-any-return]


DOCUMENT = _document()
OPERATIONS = {f"{method} {uri}": operation for method, uri, operation in operations(DOCUMENT)}


# --- the kinds of caller ----------------------------------------------------------------------


@attrs.frozen
class Caller:
    """``scheme``: the security scheme its ``Authorization`` header belongs to (None: no header).
    ``role``/``tenants``: who it is once authenticated (role None: the credential is not valid)."""

    headers: Callable[[Api], dict[str, str]]
    scheme: str | None
    role: str | None = None
    tenants: tuple[str, ...] = ()


def _claims(api: Api) -> dict[str, Any]:
    now = int(api.clock.now().timestamp())
    return {
        "sub": str(api.users["admin"].id),
        "id": 1,
        "role": "ADMIN",
        "iat": now,
        "exp": now + 60,
    }


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def _expired(api: Api) -> dict[str, str]:
    past = MovableClock()
    past.offset = -timedelta(hours=2)  # the token lived 1 h, so it expired an hour ago
    issuer = JwtTokenIssuer(SECRET, past, ttl_s=3600)
    admin = api.users["admin"]
    return _bearer(issuer.issue(subject=str(admin.id), email=admin.email, role="ADMIN"))


def _login(api: Api, name: str) -> dict[str, Any]:
    result = api.client.simulate_post(
        "/api/users/login", json={"email": f"{name}@example.org", "password": PASSWORD}
    )
    assert result.status_code == 200, result.text
    return result.json  # type: ignore[no-any-return]


def _logged_out(api: Api) -> dict[str, str]:
    session = _login(api, "admin")
    result = api.client.simulate_post(
        "/api/users/logout", json={"refreshToken": session["refreshToken"]}
    )
    assert result.status_code == 204, result.text
    return _bearer(session["token"])


BEARER, PROVIDER, BASIC = "bearerAuth", "providerToken", "basicAuth"
CALLERS: dict[str, Caller] = {
    "no-credentials": Caller(lambda api: {}, None),
    "expired-token": Caller(_expired, BEARER),
    "forged-signature": Caller(lambda api: _bearer(jwt.encode(_claims(api), "x" * 64)), BEARER),
    "alg-none": Caller(lambda api: _bearer(jwt.encode(_claims(api), None, "none")), BEARER),
    # Our secret, another HMAC: the algorithm is pinned to HS256.
    "wrong-algorithm": Caller(
        lambda api: _bearer(jwt.encode(_claims(api), SECRET, "HS512")), BEARER
    ),
    "refresh-token-as-access": Caller(
        lambda api: _bearer(_login(api, "admin")["refreshToken"]), BEARER
    ),
    "logged-out-session": Caller(_logged_out, BEARER),
    "metrics-scraper": Caller(lambda api: _bearer(METRICS_TOKEN), BEARER),
    "user-of-A": Caller(lambda api: api.auth("alice"), BEARER, "USER", (TENANT_A,)),
    "user-of-B-only": Caller(lambda api: api.auth("bob"), BEARER, "USER", (TENANT_B,)),
    "admin": Caller(lambda api: api.auth("admin"), BEARER, "ADMIN", ("*",)),
    # alice through tenant A's keycloak (conftest.FakeIdentityProvider); B has no such provider.
    "provider-token-of-A": Caller(
        lambda api: {"Authorization": f"keycloak {KEYCLOAK_TOKEN}"}, PROVIDER, "USER", (TENANT_A,)
    ),
    "basic-user-of-A": Caller(
        lambda api: _basic("alice@example.org", PASSWORD), BASIC, "USER", (TENANT_A,)
    ),
    "basic-user-of-B-only": Caller(
        lambda api: _basic("bob@example.org", PASSWORD), BASIC, "USER", (TENANT_B,)
    ),
    "basic-admin": Caller(
        lambda api: _basic("admin@example.org", PASSWORD), BASIC, "ADMIN", ("*",)
    ),
    "basic-wrong-password": Caller(
        lambda api: _basic("alice@example.org", "not the password"), BASIC
    ),
}


def expected(operation: Mapping[str, Any], caller: Caller) -> int | None:
    """401, 403, or None: let in (the example's own status)."""
    access = operation["x-access"]
    if access == "public":
        return None
    if access == "callback-token":  # no caller here holds one: tests/external cover the token
        return 401
    if access == "metrics-token":
        return None if caller is CALLERS["metrics-scraper"] else 401
    if caller.scheme not in schemes(operation) or caller.role is None:
        return 401
    if access == "any":
        return None
    if access == "admin":
        return None if caller.role == "ADMIN" and caller.scheme != PROVIDER else 403
    assert access == "tenant", access
    return None if "*" in caller.tenants or TENANT_A in caller.tenants else 403


# --- the app: tenant A holds data that the requests can name ---------------------------------


def _seed(api: Api) -> Target:
    admin = api.auth("admin")
    saved = api.client.simulate_put(f"/api/apps/{TENANT_A}", json=CONFIG_A, headers=admin)
    assert saved.status_code == 200, saved.text
    person = {"entityName": "person", "name": "John Smith", "dateOfBirth": "1990-01-02"}
    events = [{**_event_of(guid), "data": person} for guid in ("a-1", "a-2")] + [
        {"guid": "bad-a", "type": "nope"}
    ]
    pushed = api.client.simulate_post(
        "/api/sync/push", json={"events": events, "configId": TENANT_A}, headers=admin
    )
    assert [r["status"] for r in pushed.json["results"]] == ["applied", "applied", "rejected"]
    with api.db(read_only=True) as uow:
        tenant = uow.tenants.get(TENANT_A)
        assert tenant is not None and uow.duplicates.count(TENANT_A, "pending") == 1
    return Target(
        tenant=TENANT_A,
        config=CONFIG_A,
        artifact=tenant.artifact_id,
        user_id=api.users["bob"].id,
        entity="a-1",
        rejected="bad-a",
        duplicate=("a-2", "a-1"),
        entity_set="person",
        refresh_token=lambda: _login(api, "alice")["refreshToken"],
    )


def _event_of(guid: str) -> dict[str, Any]:
    return {
        "guid": f"ev-{guid}",
        "entityGuid": guid,
        "type": "create-individual",
        "timestamp": "2025-01-01T00:00:00.000Z",
        "userId": "device",
    }


@pytest.fixture
def seeded() -> tuple[Api, Target]:
    api = build_api(CONFIG)
    return api, _seed(api)


# --- the tests --------------------------------------------------------------------------------

COMPAT_401 = {"Invalid token", "Authorization header missing", "Invalid authentication type"}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_authorisation_matrix(seeded: tuple[Api, Target], operation: str, caller: str) -> None:
    api, target = seeded
    method, uri = operation.split(" ", 1)
    described, who = OPERATIONS[operation], CALLERS[caller]
    call = example(method, uri, target)
    result = api.client.simulate_request(
        method, call.path, params=dict(call.params), json=call.json, headers=who.headers(api)
    )
    status = expected(described, who)
    if status is None:
        assert result.status_code == call.ok, result.text
        return
    assert result.status_code == status, result.text
    odata = schemes(described) == {BASIC}
    if odata:  # OData clients read {"error": {...}} and ask for a password on 401
        assert "code" in result.json["error"]
        if status == 401:
            assert result.headers["www-authenticate"].startswith("Basic")
        return
    assert result.headers["content-type"] == "application/problem+json"
    if status == 401 and described["x-access"] not in ("callback-token", "metrics-token"):
        assert result.json["error"] in COMPAT_401, result.json  # compat: the upstream bodies
    if status == 403 and described["x-access"] == "admin":
        assert result.json["error"] == "Forbidden: Admin access required"


def test_every_operation_declares_who_may_call_it() -> None:
    undeclared = {op: o.get("x-access") for op, o in OPERATIONS.items()}
    assert {op: a for op, a in undeclared.items() if a not in ACCESS_KINDS} == {}
    for op, described in OPERATIONS.items():
        # Only operations open to anyone with our token need no security scheme.
        open_to_all = described["x-access"] in ("public", "callback-token", "metrics-token")
        assert (schemes(described) == set()) == open_to_all, op


def test_the_callers_meet_every_outcome_of_every_kind_of_access() -> None:
    """No kind of access is checked only on one side (say, only ever let in)."""
    securities = ([{BEARER: []}, {PROVIDER: []}], [{BASIC: []}])
    outcomes = {
        access: {
            expected({"x-access": access, "security": security}, caller)
            for security in securities
            for caller in CALLERS.values()
        }
        for access in ACCESS_KINDS
    }
    assert outcomes["public"] == {None}
    assert outcomes["callback-token"] == {401}
    for access in ("any", "metrics-token"):
        assert outcomes[access] == {None, 401}, access
    for access in ("admin", "tenant"):
        assert outcomes[access] == {None, 401, 403}, access
    documented = {o["x-access"] for o in OPERATIONS.values()}
    assert documented == set(ACCESS_KINDS), "a kind of access that no operation uses"


def test_metrics_are_open_without_a_metrics_token(api: Api) -> None:
    """The matrix runs with METRICS_TOKEN set; without it /metrics needs nothing (README:
    restrict it at the proxy)."""
    assert api.client.simulate_get("/metrics").status_code == 200


def test_missing_header_has_the_upstream_body(api: Api) -> None:
    result = api.client.simulate_get("/api/sync/pull")
    assert result.status_code == 401
    assert result.json["error"] == "Authorization header missing"
    assert result.headers["www-authenticate"] == "Bearer"
