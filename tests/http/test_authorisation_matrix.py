"""Every protected route x every kind of caller -> the expected status (protocol: Authorisation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest

from adapters_out.security.jwt_tokens import JwtTokenIssuer
from tests.http.conftest import SECRET, Api, MovableClock

Request = tuple[str, str, dict[str, Any]]  # method, path, simulate_request kwargs


def _event(n: int) -> dict[str, Any]:
    return {
        "guid": f"evt-{n}",
        "entityGuid": f"ent-{n}",
        "type": "create-individual",
        "data": {"name": f"Person {n}"},
        "timestamp": "2025-01-01T00:00:00.000Z",
        "userId": "device",
    }


# kind: "any" (any authenticated account), "tenant" (tenant-checked), "admin"
ROUTES: dict[str, tuple[str, Callable[[Api, str], Request]]] = {
    "check-token": ("any", lambda api, t: ("GET", "/api/users/check-token", {})),
    "me": ("any", lambda api, t: ("GET", "/api/users/me", {})),
    "list-users": ("admin", lambda api, t: ("GET", "/api/users", {})),
    "create-user": (
        "admin",
        lambda api, t: (
            "POST",
            "/api/users",
            {"json": {"email": "new@example.org", "password": "long enough pw", "role": "USER"}},
        ),
    ),
    "update-user": (
        "admin",
        lambda api, t: (
            "PUT",
            f"/api/users/{api.users['bob'].id}",
            {"json": {"email": "bob2@example.org", "role": "USER", "tenants": ["t2"]}},
        ),
    ),
    "delete-user": ("admin", lambda api, t: ("DELETE", "/api/users/bob@example.org", {})),
    "push": (
        "tenant",
        lambda api, t: ("POST", "/api/sync/push", {"json": {"events": [_event(1)], "configId": t}}),
    ),
    "pull": ("tenant", lambda api, t: ("GET", "/api/sync/pull", {"params": {"configId": t}})),
    "callback": (
        "tenant",
        lambda api, t: ("GET", "/api/sync/pull/callback", {"params": {"configId": t}}),
    ),
    "rejected": (
        "admin",
        lambda api, t: ("GET", "/api/sync/rejected", {"params": {"configId": t}}),
    ),
    "push-audit": (
        "tenant",
        lambda api, t: (
            "POST",
            "/api/sync/push/audit-logs",
            {"json": {"configId": t, "auditLogs": []}},
        ),
    ),
    "pull-audit": (
        "tenant",
        lambda api, t: ("GET", "/api/sync/pull/audit-logs", {"params": {"configId": t}}),
    ),
    "sync-health": ("admin", lambda api, t: ("GET", "/health/sync", {})),
    "external-trigger": (
        "admin",
        lambda api, t: ("POST", "/api/sync/external", {"json": {"configId": t}}),
    ),
    "external-adapters": ("any", lambda api, t: ("GET", "/api/sync/external/adapters", {})),
    "external-runs": (
        "admin",
        lambda api, t: ("GET", "/api/sync/external/runs", {"params": {"configId": t}}),
    ),
    "external-run": ("admin", lambda api, t: ("GET", "/api/sync/external/runs/no-such-run", {})),
    "external-outbox": (
        "admin",
        lambda api, t: ("GET", "/api/sync/external/outbox", {"params": {"configId": t}}),
    ),
    "external-callback-token": (
        "admin",
        lambda api, t: ("POST", "/api/sync/external/callback-token", {"json": {"configId": t}}),
    ),
    "external-requeue": (
        "admin",
        lambda api, t: (
            "POST",
            "/api/sync/external/outbox/requeue",
            {"json": {"configId": t, "eventGuids": []}},
        ),
    ),
    "export": ("tenant", lambda api, t: ("GET", f"/api/apps/{t}/export", {})),
}


def _claims(api: Api) -> dict[str, Any]:
    now = int(api.clock.now().timestamp())
    return {
        "sub": str(api.users["admin"].id),
        "id": 1,
        "role": "ADMIN",
        "iat": now,
        "exp": now + 60,
    }


def _expired(api: Api) -> str:
    past = MovableClock()
    past.offset = -timedelta(hours=2)  # the token lived 1 h, so it expired an hour ago
    return JwtTokenIssuer(SECRET, past, ttl_s=3600).issue(
        subject=str(api.users["admin"].id), email="admin@example.org", role="ADMIN"
    )


# caller -> (headers factory, tenant used in the request)
CALLERS: dict[str, tuple[Callable[[Api], dict[str, str]], str]] = {
    "no-token": (lambda api: {}, "t2"),
    "expired": (lambda api: {"Authorization": f"Bearer {_expired(api)}"}, "t2"),
    "wrong-signature": (
        lambda api: {"Authorization": "Bearer " + jwt.encode(_claims(api), "x" * 40, "HS256")},
        "t2",
    ),
    "alg-none": (
        lambda api: {"Authorization": "Bearer " + jwt.encode(_claims(api), None, "none")},
        "t2",
    ),
    "user-own-tenant": (lambda api: api.auth("alice"), "t1"),
    "user-other-tenant": (lambda api: api.auth("alice"), "t2"),
    "admin": (lambda api: api.auth("admin"), "t2"),
}


def expected(kind: str, caller: str, route: str) -> int:
    if caller in ("no-token", "expired", "wrong-signature", "alg-none"):
        return 401
    if kind == "admin" and caller != "admin":
        return 403
    if kind == "tenant" and caller == "user-other-tenant":
        return 403
    # an admin reaching the handler: no external sync configured, an unknown run
    return {
        "create-user": 201,
        "external-trigger": 409,
        "external-callback-token": 409,
        "external-run": 404,
    }.get(route, 200)


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("route", list(ROUTES))
def test_authorisation_matrix(api: Api, route: str, caller: str) -> None:
    kind, build = ROUTES[route]
    headers_of, tenant = CALLERS[caller]
    method, path, kwargs = build(api, tenant)
    result = api.client.simulate_request(method, path, headers=headers_of(api), **kwargs)
    status = expected(kind, caller, route)
    assert result.status_code == status, result.text
    if status == 401:
        assert result.json["error"] == "Invalid token" or caller == "no-token"
        assert result.headers["content-type"] == "application/problem+json"
    if status == 403 and kind == "admin":
        assert result.json["error"] == "Forbidden: Admin access required"


def test_missing_header_has_the_upstream_body(api: Api) -> None:
    result = api.client.simulate_get("/api/sync/pull")
    assert result.status_code == 401
    assert result.json["error"] == "Authorization header missing"
    assert result.headers["www-authenticate"] == "Bearer"


def _template(documented: dict[str, Any], path: str) -> str:
    """The documented URI template a concrete path was built from."""
    return next(uri for uri in documented if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", uri), path))


def test_matrix_covers_every_protected_operation(api: Api) -> None:
    documented = api.client.simulate_get("/api-docs/openapi.json").json["paths"]
    # tests/http/tenants/test_isolation; the OData feed (HTTP Basic): tests/http/tenants/test_odata
    tenant_tags = {"apps", "artifacts", "entities", "review", "odata"}
    protected = {
        (method.upper(), uri)
        for uri, item in documented.items()
        for method, operation in item.items()
        if method != "parameters"
        and operation.get("security")
        and not tenant_tags & set(operation.get("tags", ()))
    }
    covered = set()
    for _, build in ROUTES.values():
        method, path, _ = build(api, "t1")
        template = path if path in documented else _template(documented, path)
        covered.add((method, template))
    assert protected == covered


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/health", {}),
        ("/health/db", {}),
        ("/metrics", {}),  # without METRICS_TOKEN; restrict it at the proxy (README)
        ("/api-docs", {}),
        ("/api-docs/openapi.json", {}),
    ],
)
def test_public_routes_need_no_token(api: Api, path: str, kwargs: dict[str, Any]) -> None:
    assert api.client.simulate_get(path, **kwargs).status_code == 200
