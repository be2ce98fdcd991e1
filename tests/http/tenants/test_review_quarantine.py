"""Quarantined events: retried through push (leaving quarantine once applied) or discarded
with an audit entry; admin only."""

from __future__ import annotations

from tests.http.tenants.helpers import person_config, pull, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env
from tests.support.events import at, wire_event

T = "quar"


def rejected(env: Env, headers: dict[str, str]) -> list[dict]:
    result = env.client.simulate_get("/api/sync/rejected", params={"configId": T}, headers=headers)
    assert result.status_code == 200, result.text
    body = result.json
    return body["items"] if isinstance(body, dict) else body


def setup(env: Env, admin: dict[str, str]) -> dict[str, str]:
    assert upload(env, admin, person_config(T)).status_code == 201
    device = env.add_user(2, USER_ROLE, (T,))
    early = wire_event(
        "add-member",
        "hh-1",
        {"members": [{"guid": "p-1", "name": "Ann"}]},
        timestamp=at(2),
        guid="ev-add",
    )
    result = push(env, device, T, early)
    assert result["results"][0]["code"] == "entity-not-found"
    return device


def test_retry_applies_once_the_cause_is_gone(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    assert [r["guid"] for r in rejected(env, admin)] == ["ev-add"]
    retry = env.client.simulate_post(
        "/api/sync/rejected/ev-add/retry", params={"configId": T}, headers=admin
    )
    assert retry.status_code == 200 and retry.json["status"] == "rejected"
    push(env, device, T, wire_event("create-group", "hh-1", {"name": "Home"}, timestamp=at(1)))
    retry = env.client.simulate_post(
        "/api/sync/rejected/ev-add/retry", params={"configId": T}, headers=admin
    )
    assert retry.status_code == 200, retry.text
    assert retry.json == {"guid": "ev-add", "status": "applied"}
    assert rejected(env, admin) == []
    assert "ev-add" in [e["guid"] for e in pull(env, device, T)["events"]]
    group = env.client.simulate_get("/api/entities/hh-1", params={"configId": T}, headers=device)
    assert group.json["memberIds"] == ["p-1"]


def test_discard_is_audited(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    path = "/api/sync/rejected/ev-add"
    assert (
        env.client.simulate_delete(path, params={"configId": T}, headers=device).status_code == 403
    )
    gone = env.client.simulate_delete(path, params={"configId": T}, headers=admin)
    assert gone.status_code == 204
    assert rejected(env, admin) == []
    assert (
        env.client.simulate_delete(path, params={"configId": T}, headers=admin).status_code == 404
    )
    with env.db() as uow:
        entries = [e for e in uow.audit.since(T, None, 100) if e.action == "discard-rejected-event"]
    assert [(e.event_guid, e.entity_guid, e.user_id) for e in entries] == [("ev-add", "hh-1", "1")]
    assert entries[0].changes["code"] == "entity-not-found"


def test_retry_needs_an_admin_and_a_known_event(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    path = "/api/sync/rejected/ev-add/retry"
    assert env.client.simulate_post(path, params={"configId": T}, headers=device).status_code == 403
    missing = env.client.simulate_post(
        "/api/sync/rejected/nope/retry", params={"configId": T}, headers=admin
    )
    assert missing.status_code == 404


def test_an_event_without_a_guid_cannot_be_retried(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    push(env, device, T, {"type": "create-individual", "data": {"name": "x"}})
    no_guid = next(r["guid"] for r in rejected(env, admin) if r["guid"] != "ev-add")
    result = env.client.simulate_post(
        f"/api/sync/rejected/{no_guid}/retry", params={"configId": T}, headers=admin
    )
    assert result.status_code == 422
    assert len(rejected(env, admin)) == 2
