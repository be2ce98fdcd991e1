"""What the authorisation tests need to call every documented operation.

The *list* of operations always comes from the served OpenAPI document (``operations``); this
module only knows how to build one valid request per operation (``EXAMPLES``), aimed at a
``Target`` tenant. An operation without an example is a failing test, never a skipped one, so
a new route cannot escape the matrix (tests/http/test_authorisation_matrix.py) or the
two-tenant check (tests/http/tenants/test_isolation.py).

``x-access`` (docs/hardening.md) says who may call each operation; ``security`` says with
which credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ACCESS_KINDS = ("public", "any", "admin", "tenant", "callback-token", "metrics-token")


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(METHOD, URI template, operation object) for every operation of the document."""
    for uri, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), uri, operation


def schemes(operation: Mapping[str, Any]) -> set[str]:
    """The security schemes that the operation accepts (empty: no credentials)."""
    return {name for requirement in operation.get("security", ()) for name in requirement}


@attrs.frozen(kw_only=True)
class Target:
    """The tenant a request is aimed at, and things stored in it that requests can name."""

    tenant: str
    config: Mapping[str, Any]  # a valid configuration document for this tenant (PUT)
    artifact: str  # the tenant's artifactId
    user_id: int  # an existing user that the user routes may update or delete
    entity: str = "no-such-entity"
    rejected: str = "no-such-event"  # a quarantined event guid
    duplicate: tuple[str, str] = ("no-such-new", "no-such-existing")  # a pending pair
    entity_set: str = "other"  # an OData entity set
    refresh_token: Callable[[], str] = lambda: "not-a-refresh-token"


@attrs.frozen(kw_only=True)
class Call:
    """One request; ``ok`` is the status a caller that is let in gets for it."""

    path: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    json: Any = None
    ok: int = 200


def _event(guid: str) -> dict[str, Any]:
    return {
        "guid": guid,
        "entityGuid": f"ent-{guid}",
        "type": "create-individual",
        "data": {"name": "Person"},
        "timestamp": "2025-01-01T00:00:00.000Z",
        "userId": "device",
    }


def _in(t: Target) -> dict[str, str]:
    return {"configId": t.tenant}


Example = Callable[[Target], Call]
# (METHOD, URI template) -> the request. Statuses other than 2xx for a caller that is let in:
# no external sync is configured (409), unknown run or conflict (404).
EXAMPLES: dict[tuple[str, str], Example] = {
    # operations
    ("GET", "/health"): lambda t: Call(path="/health"),
    ("GET", "/health/db"): lambda t: Call(path="/health/db"),
    ("GET", "/health/sync"): lambda t: Call(path="/health/sync"),
    ("GET", "/metrics"): lambda t: Call(path="/metrics"),
    ("GET", "/api-docs"): lambda t: Call(path="/api-docs"),
    ("GET", "/api-docs/openapi.json"): lambda t: Call(path="/api-docs/openapi.json"),
    ("GET", "/api-docs/openapi-ui.json"): lambda t: Call(path="/api-docs/openapi-ui.json"),
    ("GET", "/api-docs/assets/{name}"): lambda t: Call(path="/api-docs/assets/swagger-ui.css"),
    # users and sessions
    ("POST", "/api/users/login"): lambda t: Call(
        path="/api/users/login",
        json={"email": "alice@example.org", "password": "correct horse battery"},
    ),
    ("POST", "/api/users/refresh"): lambda t: Call(
        path="/api/users/refresh", json={"refreshToken": t.refresh_token()}
    ),
    ("POST", "/api/users/logout"): lambda t: Call(
        path="/api/users/logout", json={"refreshToken": t.refresh_token()}, ok=204
    ),
    ("GET", "/api/users/check-token"): lambda t: Call(path="/api/users/check-token"),
    ("GET", "/api/users/me"): lambda t: Call(path="/api/users/me"),
    ("GET", "/api/users"): lambda t: Call(path="/api/users"),
    ("POST", "/api/users"): lambda t: Call(
        path="/api/users",
        json={"email": "new@example.org", "password": "long enough pw", "role": "USER"},
        ok=201,
    ),
    ("PUT", "/api/users/{user_id}"): lambda t: Call(
        path=f"/api/users/{t.user_id}",
        json={"email": "renamed@example.org", "role": "USER", "tenants": [t.tenant]},
    ),
    ("DELETE", "/api/users/{user_id}"): lambda t: Call(path=f"/api/users/{t.user_id}"),
    # sync
    ("POST", "/api/sync/push"): lambda t: Call(
        path="/api/sync/push", json={"events": [_event("matrix-1")], "configId": t.tenant}
    ),
    ("GET", "/api/sync/pull"): lambda t: Call(path="/api/sync/pull", params=_in(t)),
    ("GET", "/api/sync/pull/callback"): lambda t: Call(
        path="/api/sync/pull/callback", params=_in(t)
    ),
    ("POST", "/api/sync/push/audit-logs"): lambda t: Call(
        path="/api/sync/push/audit-logs", json={"configId": t.tenant, "auditLogs": []}
    ),
    ("GET", "/api/sync/pull/audit-logs"): lambda t: Call(
        path="/api/sync/pull/audit-logs", params=_in(t)
    ),
    ("GET", "/api/sync/rejected"): lambda t: Call(path="/api/sync/rejected", params=_in(t)),
    ("POST", "/api/sync/rejected/{guid}/retry"): lambda t: Call(
        path=f"/api/sync/rejected/{t.rejected}/retry", params=_in(t)
    ),
    ("DELETE", "/api/sync/rejected/{guid}"): lambda t: Call(
        path=f"/api/sync/rejected/{t.rejected}", params=_in(t), ok=204
    ),
    # external sync
    ("POST", "/api/sync/external"): lambda t: Call(
        path="/api/sync/external", json={"configId": t.tenant}, ok=409
    ),
    ("GET", "/api/sync/external/adapters"): lambda t: Call(path="/api/sync/external/adapters"),
    ("GET", "/api/sync/external/runs"): lambda t: Call(
        path="/api/sync/external/runs", params=_in(t)
    ),
    ("GET", "/api/sync/external/runs/{run_id}"): lambda t: Call(
        path="/api/sync/external/runs/no-such-run", ok=404
    ),
    ("GET", "/api/sync/external/outbox"): lambda t: Call(
        path="/api/sync/external/outbox", params=_in(t)
    ),
    ("POST", "/api/sync/external/outbox/requeue"): lambda t: Call(
        path="/api/sync/external/outbox/requeue", json={"configId": t.tenant, "eventGuids": []}
    ),
    ("POST", "/api/sync/external/callback-token"): lambda t: Call(
        path="/api/sync/external/callback-token", json={"configId": t.tenant}, ok=409
    ),
    ("POST", "/api/sync/external/callback/{config_id}"): lambda t: Call(
        path=f"/api/sync/external/callback/{t.tenant}", json={"records": []}
    ),
    # apps (tenants) and their artifacts
    ("GET", "/api/apps"): lambda t: Call(path="/api/apps"),
    ("POST", "/api/apps"): lambda t: Call(
        path="/api/apps",
        json={"id": "matrix-new", "name": "New", "entityForms": []},
        ok=201,
    ),
    ("GET", "/api/apps/{id}"): lambda t: Call(path=f"/api/apps/{t.tenant}"),
    ("PUT", "/api/apps/{id}"): lambda t: Call(path=f"/api/apps/{t.tenant}", json=dict(t.config)),
    ("DELETE", "/api/apps/{id}"): lambda t: Call(path=f"/api/apps/{t.tenant}"),
    ("GET", "/api/apps/{id}/export"): lambda t: Call(path=f"/api/apps/{t.tenant}/export"),
    ("GET", "/artifacts/{artifactId}.json"): lambda t: Call(path=f"/artifacts/{t.artifact}.json"),
    ("GET", "/artifacts/{artifactId}.png"): lambda t: Call(path=f"/artifacts/{t.artifact}.png"),
    # entities
    ("GET", "/api/entities"): lambda t: Call(path="/api/entities", params=_in(t)),
    ("GET", "/api/entities/count"): lambda t: Call(path="/api/entities/count", params=_in(t)),
    ("GET", "/api/entities/count-by-form"): lambda t: Call(
        path="/api/entities/count-by-form", params=_in(t)
    ),
    ("GET", "/api/entities/{guid}"): lambda t: Call(
        path=f"/api/entities/{t.entity}", params=_in(t)
    ),
    ("GET", "/api/entities/{guid}/events"): lambda t: Call(
        path=f"/api/entities/{t.entity}/events", params=_in(t)
    ),
    # review
    ("GET", "/api/potential-duplicates"): lambda t: Call(
        path="/api/potential-duplicates", params=_in(t)
    ),
    ("POST", "/api/potential-duplicates/resolve"): lambda t: Call(
        path="/api/potential-duplicates/resolve",
        json={"newItem": t.duplicate[0], "existingItem": t.duplicate[1], "configId": t.tenant},
    ),
    ("GET", "/api/conflicts"): lambda t: Call(path="/api/conflicts", params=_in(t)),
    ("POST", "/api/conflicts/{id}/resolve"): lambda t: Call(
        path=f"/api/conflicts/{'0' * 32}/resolve",
        json={"resolution": "keep", "configId": t.tenant},
        ok=404,
    ),
    # OData (HTTP Basic)
    ("GET", "/odata/{configId}"): lambda t: Call(path=f"/odata/{t.tenant}"),
    ("GET", "/odata/{configId}/$metadata"): lambda t: Call(path=f"/odata/{t.tenant}/$metadata"),
    ("GET", "/odata/{configId}/{entitySet}"): lambda t: Call(
        path=f"/odata/{t.tenant}/{t.entity_set}"
    ),
    ("GET", "/odata/{configId}/{entitySet}/$count"): lambda t: Call(
        path=f"/odata/{t.tenant}/{t.entity_set}/$count"
    ),
}


def example(method: str, uri: str, target: Target) -> Call:
    """The request for a documented operation; fails (never skips) when there is none."""
    build = EXAMPLES.get((method, uri))
    assert build is not None, (
        f"{method} {uri} has no example in tests/http/access.py: add one, so that the "
        "authorisation matrix and the two-tenant check cover it"
    )
    return build(target)
