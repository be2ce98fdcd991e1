"""The admin app's Trigger Sync and the run records over HTTP (memory storage, fake remotes)."""

from __future__ import annotations

from typing import Any

from adapters_out.external.fakes.servers import FakeMock, Fault, running
from domain.tenants import Tenant
from tests.http.conftest import Api, build_api


def _tenant(api: Api, tenant_id: str, sync: dict[str, Any]) -> None:
    with api.db() as uow:
        uow.tenants.add(
            Tenant(
                id=tenant_id,
                name=tenant_id,
                artifact_id=tenant_id.ljust(32, "0"),
                config={"name": tenant_id, "externalSync": sync},
            )
        )
        uow.commit()


def _push(api: Api, tenant_id: str) -> None:
    event = {
        "guid": "ev-1",
        "entityGuid": "p1",
        "type": "create-individual",
        "data": {"name": "Ana"},
        "timestamp": "2025-01-01T00:00:00.000Z",
        "userId": "d",
    }
    result = api.client.simulate_post(
        "/api/sync/push", json={"configId": tenant_id, "events": [event]}, headers=api.auth("admin")
    )
    assert result.status_code == 200


def test_the_admin_apps_bodies_run_a_sync_and_the_run_is_recorded():
    api = build_api()
    with running(FakeMock()) as fake:
        _tenant(api, "ext", {"type": "mock-sync-server", "url": fake.url})
        _push(api, "ext")
        done = api.client.simulate_post(
            "/api/sync/external", json={"configId": "ext"}, headers=api.auth("admin")
        )
        assert done.status_code == 200, done.text
        assert (done.json["status"], done.json["pushed"]) == ("success", 1)
        with_credentials = api.client.simulate_post(
            "/api/sync/external",
            json={"configId": "ext", "credentials": {"username": "u", "password": "dialog-secret"}},
            headers=api.auth("admin"),
        )
        assert with_credentials.status_code == 200
        assert "dialog-secret" not in with_credentials.text
        assert fake.journal[-1]["headers"]["authorization"].startswith("Basic ")
    runs = api.client.simulate_get(
        "/api/sync/external/runs", params={"configId": "ext"}, headers=api.auth("admin")
    )
    assert [r["runId"] for r in runs.json["runs"]][-1] == done.json["runId"]
    one = api.client.simulate_get(
        f"/api/sync/external/runs/{done.json['runId']}", headers=api.auth("admin")
    )
    assert (one.json["pushed"], one.json["status"]) == (1, "succeeded")
    adapters = api.client.simulate_get("/api/sync/external/adapters", headers=api.auth("alice"))
    names = {a["name"] for a in adapters.json["adapters"]}
    assert {"mock", "openfn", "openspp", "example-memory"} <= names


def test_statuses_the_admin_app_reads_as_failure():
    api = build_api()
    problem = "application/problem+json"
    unknown = api.client.simulate_post(
        "/api/sync/external", json={"configId": "nope"}, headers=api.auth("admin")
    )
    assert (unknown.status_code, unknown.headers["content-type"]) == (404, problem)
    plain = api.client.simulate_post(
        "/api/sync/external", json={"configId": "t1"}, headers=api.auth("admin")
    )
    assert plain.status_code == 409 and plain.json["code"] == "external-sync-not-configured"
    user = api.client.simulate_post(
        "/api/sync/external", json={"configId": "t1"}, headers=api.auth("alice")
    )
    assert user.status_code == 403
    with running(FakeMock()) as fake:
        _tenant(api, "down", {"type": "mock", "url": fake.url})
        _push(api, "down")
        fake.fail(Fault(status=500, times=20))
        failed = api.client.simulate_post(
            "/api/sync/external", json={"configId": "down"}, headers=api.auth("admin")
        )
    assert (failed.status_code, failed.headers["content-type"]) == (502, problem)
    assert failed.json["runId"] and failed.json["errors"]
    gone = api.client.simulate_post(
        "/api/sync/external", json={"configId": "down"}, headers=api.auth("admin")
    )
    assert gone.status_code == 502  # the fake is gone: connection refused
    bad = api.client.simulate_post(
        "/api/sync/external",
        json={"configId": "down", "credentials": {"username": "u"}},
        headers=api.auth("admin"),
    )
    assert bad.status_code == 422


def test_sync_health_shows_the_outbox_and_the_last_run():
    api = build_api()
    with running(FakeMock()) as fake:
        _tenant(api, "ext", {"type": "mock", "url": fake.url})
        _push(api, "ext")
        api.client.simulate_post(
            "/api/sync/external", json={"configId": "ext"}, headers=api.auth("admin")
        )
    report = api.client.simulate_get("/health/sync", headers=api.auth("admin")).json
    by_id = {t["tenantId"]: t for t in report["tenants"]}
    assert by_id["ext"]["externalOutbox"]["counts"] == {"done": 1}
    assert by_id["ext"]["externalOutbox"]["lastRun"]["status"] == "succeeded"
    assert by_id["t1"]["externalOutbox"] is None
