"""/health/sync (admins only, per-tenant figures) and /metrics (Prometheus text format)."""

from __future__ import annotations

from typing import Any

import attrs
from prometheus_client.parser import text_string_to_metric_families

from adapters_in.http.config import HttpConfig
from domain.duplicates import PotentialDuplicate
from tests.contract.builders import conflict
from tests.http.conftest import Api, build_api
from tests.support.events import at, wire_event

METRICS_TOKEN = "m3tr1cs-scrape-token-0123456789abcdef"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def person(guid: str, minute: float) -> dict[str, Any]:
    return wire_event("create-individual", guid, {"name": guid}, timestamp=at(minute), guid=guid)


def push(api: Api, user: str, tenant: str, events: list[Any]) -> dict[str, Any]:
    body = {"events": events, "configId": tenant}
    result = api.client.simulate_post("/api/sync/push", json=body, headers=api.auth(user))
    assert result.status_code == 200, result.text
    return result.json


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(api: Api, headers: dict[str, str] | None = None) -> Samples:
    result = api.client.simulate_get("/metrics", headers=headers)
    assert result.status_code == 200, result.text
    assert result.headers["content-type"].startswith("text/plain; version=")
    return parse(result.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# -- /health/sync ----------------------------------------------------------------------------
def test_sync_health_requires_an_admin(api: Api) -> None:
    assert api.client.simulate_get("/health/sync").status_code == 401
    refused = api.client.simulate_get("/health/sync", headers=api.auth("alice"))
    assert refused.status_code == 403
    assert refused.json["error"] == "Forbidden: Admin access required"


def test_sync_health_reports_each_tenant_after_a_push(api: Api) -> None:
    push(api, "alice", "t1", [person("p1", 1), person("p2", 2), {"guid": "broken"}])
    with api.db() as uow:
        uow.conflicts.add_many("t1", [conflict("p1", "a"), conflict("p2", "b")])
        resolved = attrs.evolve(conflict("p2", "b"), status="resolved")
        uow.conflicts.update("t1", resolved)
        pair = PotentialDuplicate(entity_guid="p2", duplicate_guid="p1", score=1.0, reasons=())
        uow.duplicates.add_many("t1", [pair])
        uow.commit()

    result = api.client.simulate_get("/health/sync", headers=api.auth("admin"))
    assert result.status_code == 200, result.text
    report = result.json
    assert (report["status"], report["total"], report["offset"]) == ("ok", 3, 0)
    assert report["truncated"] is False
    tenants = {t["tenantId"]: t for t in report["tenants"]}
    assert list(tenants) == ["default", "t1", "t2"]
    t1 = tenants["t1"]
    assert t1["lastPushAt"].endswith("Z")
    assert {k: v for k, v in t1.items() if k != "lastPushAt"} == {
        "tenantId": "t1",
        "feedHead": 2,
        "events": 2,
        "lastPullAt": None,
        "quarantined": 1,
        "pendingDuplicates": 1,
        "openConflicts": 1,
        "externalOutbox": None,
    }
    assert tenants["t2"] == {
        "tenantId": "t2",
        "feedHead": 0,
        "events": 0,
        "lastPushAt": None,
        "lastPullAt": None,
        "quarantined": 0,
        "pendingDuplicates": 0,
        "openConflicts": 0,
        "externalOutbox": None,
    }


def test_sync_health_shows_the_last_pull_per_tenant_before_and_after_a_flush(api: Api) -> None:
    def last_pulls() -> dict[str, Any]:
        report = api.client.simulate_get("/health/sync", headers=api.auth("admin")).json
        return {t["tenantId"]: t["lastPullAt"] for t in report["tenants"]}

    pulled = api.client.simulate_get(
        "/api/sync/pull", params={"configId": "t1"}, headers=api.auth("alice")
    )
    assert pulled.status_code == 200, pulled.text
    before_flush = last_pulls()
    assert before_flush["t1"] is not None and before_flush["t1"].endswith("Z")
    assert (before_flush["default"], before_flush["t2"]) == (None, None)
    with api.db(read_only=True) as uow:  # noted in memory only: no write per pull
        assert uow.pull_activity.last_pulls(["t1"]) == {}

    assert api.activity.flush() == 1
    with api.db(read_only=True) as uow:
        stored = uow.pull_activity.last_pulls(["t1", "t2"])
    assert list(stored) == ["t1"]
    assert last_pulls()["t1"] == before_flush["t1"]


def test_sync_health_lists_the_retention_runs(api: Api) -> None:
    report = api.client.simulate_get("/health/sync", headers=api.auth("admin")).json
    assert report["retention"] == {"recentRuns": []}
    result = api.cleanup()
    assert result.ran
    runs = api.client.simulate_get("/health/sync", headers=api.auth("admin")).json["retention"]
    [run] = runs["recentRuns"]
    assert run["id"] == result.run_id
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["counts"] == dict(result.counts)
    assert set(run["counts"]) == {
        "read-audit",
        "delivered-outbox",
        "external-runs",
        "expired-leases",
        "job-runs",
        "dead-refresh-tokens",
    }
    assert run["finishedAt"] >= run["startedAt"]


def test_sync_health_pages_through_tenants(api: Api) -> None:
    def page(**params: str) -> Any:
        return api.client.simulate_get("/health/sync", params=params, headers=api.auth("admin"))

    first, rest = page(limit="2").json, page(limit="2", offset="2").json
    assert [t["tenantId"] for t in first["tenants"]] == ["default", "t1"]
    assert (first["total"], first["truncated"]) == (3, True)
    assert [t["tenantId"] for t in rest["tenants"]] == ["t2"]
    assert (rest["offset"], rest["truncated"]) == (2, False)
    assert page(limit="lots").status_code == 400


# -- /metrics --------------------------------------------------------------------------------
def test_requests_are_counted_by_route_template_not_path(api: Api) -> None:
    admin = api.auth("admin")
    for user in ("alice", "bob"):
        path = f"/api/users/{api.users[user].id}"
        assert api.client.simulate_delete(path, headers=admin).status_code == 200
    assert api.client.simulate_get("/no/such/page").status_code == 404

    samples = scrape(api)
    deletes = {"route": "/api/users/{user_id}", "method": "DELETE", "status": "2xx"}
    assert value(samples, "datacollect_http_requests_total", **deletes) == 2
    assert value(samples, "datacollect_http_request_duration_seconds_count", **deletes) == 2
    unmatched = {"route": "unmatched", "method": "GET", "status": "4xx"}
    assert value(samples, "datacollect_http_requests_total", **unmatched) == 1
    routes = {dict(labels).get("route") for _, labels in samples} - {None}
    assert {r for r in routes if r.startswith("/api/users/")} == {"/api/users/{user_id}"}
    assert "/no/such/page" not in routes


def test_pushed_and_pulled_events_are_counted(api: Api) -> None:
    push(api, "alice", "t1", [person("p1", 1), person("p2", 2), {"guid": "broken"}])
    push(api, "alice", "t1", [person("p1", 1)])
    pulled = api.client.simulate_get(
        "/api/sync/pull", params={"configId": "t1"}, headers=api.auth("alice")
    )
    assert len(pulled.json["events"]) == 2

    samples = scrape(api)
    pushed = "datacollect_sync_pushed_events_total"
    assert value(samples, pushed, status="applied") == 2
    assert value(samples, pushed, status="duplicate") == 1
    assert value(samples, pushed, status="rejected") == 1
    assert value(samples, "datacollect_sync_pulled_events_total") == 2
    ok_pushes = {"route": "/api/sync/push", "method": "POST", "status": "2xx"}
    assert value(samples, "datacollect_http_requests_total", **ok_pushes) == 2


def test_requests_refused_before_routing_keep_their_route() -> None:
    api = build_api(HttpConfig(rate_limit_per_ip=1, rate_limit_per_user=0))
    statuses = [api.client.simulate_get("/health").status_code for _ in range(2)]
    assert statuses == [200, 429]
    assert api.metrics is not None
    samples = parse(api.metrics.export().body.decode())  # a scrape would be rate limited too
    limited = {"route": "/health", "method": "GET", "status": "4xx"}
    assert value(samples, "datacollect_http_requests_total", **limited) == 1


def test_metrics_token_is_required_when_configured() -> None:
    config = HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=0, metrics_token=METRICS_TOKEN)
    api = build_api(config)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": METRICS_TOKEN},
        api.auth("admin"),  # a user's JWT is not the scrape token
    ):
        refused = api.client.simulate_get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json["code"] == "invalid-metrics-token"
    samples = scrape(api, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    refusals = {"route": "/metrics", "method": "GET", "status": "4xx"}
    assert value(samples, "datacollect_http_requests_total", **refusals) == 4


def test_metrics_are_open_without_a_token(api: Api) -> None:
    assert value(scrape(api), "datacollect_sync_pulled_events_total") == 0


def test_metrics_off_means_no_route_and_no_documentation() -> None:
    api = build_api(metrics_enabled=False)
    assert api.client.simulate_get("/metrics").status_code == 404
    paths = api.client.simulate_get("/api-docs/openapi.json").json["paths"]
    assert "/metrics" not in paths and "/health/sync" in paths


def test_the_document_describes_both_routes(api: Api) -> None:
    paths = api.client.simulate_get("/api-docs/openapi.json").json["paths"]
    metrics = paths["/metrics"]["get"]
    assert metrics["security"] == []
    assert list(metrics["responses"]["200"]["content"]) == ["text/plain"]
    assert "METRICS_TOKEN" in metrics["description"]
    sync = paths["/health/sync"]["get"]
    assert sync["security"] == [{"bearerAuth": []}]
    assert "ADMIN" in sync["description"] and "externalOutbox" in sync["description"]
