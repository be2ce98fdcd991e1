"""One regression test per upstream defect that applies to a server (numbers from the upstream
reference's defect table), over HTTP on memory, SQLite and PostgreSQL. Each asserts the
behaviour upstream gets wrong, so it would fail against upstream."""

from __future__ import annotations

from typing import Any

from tests.http.tenants.helpers import person_config, pull, push, upload
from tests.http.tenants.wiring import Env
from tests.support.events import at, wire_event


def _tenant(env: Env, admin: dict[str, str], tenant: str = "t1") -> str:
    assert upload(env, admin, person_config(tenant)).status_code == 201
    return tenant


def _user(
    env: Env, admin: dict[str, str], email: str, tenants: tuple[str, ...]
) -> tuple[int, dict]:
    body = {"email": email, "password": "long enough pw", "role": "USER", "tenants": list(tenants)}
    created = env.client.simulate_post("/api/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    login = env.client.simulate_post(
        "/api/users/login", json={"email": email, "password": "long enough pw"}
    )
    assert login.status_code == 200, login.text
    return created.json["id"], {"Authorization": f"Bearer {login.json['token']}"}


def _person(guid: str, minute: float, **data: Any) -> dict[str, Any]:
    return wire_event("create-individual", guid, {"name": guid, **data}, timestamp=at(minute))


def _all_guids(env: Env, admin: dict[str, str], tenant: str, limit: int = 10) -> list[str]:
    seen, since = [], ""
    while True:
        page = env.client.simulate_get(
            "/api/sync/pull",
            params={"configId": tenant, "since": since, "limit": str(limit)},
            headers=admin,
        ).json
        seen += [e["guid"] for e in page["events"]]
        if page["nextCursor"] is None:
            return seen
        since = page["nextCursor"]


def test_defect_1_events_sharing_a_page_boundary_timestamp_are_not_skipped(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    same = [_person(f"p{i}", 0) for i in range(25)]  # one timestamp for all
    push(env, admin, tenant, *same)
    assert sorted(_all_guids(env, admin, tenant)) == sorted(e["guid"] for e in same)


def test_defect_2_an_event_pushed_late_with_an_old_timestamp_is_delivered(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    push(env, admin, tenant, _person("new", 100))
    first = pull(env, admin, tenant)
    late = _person("offline", 1)  # older than everything already pulled
    push(env, admin, tenant, late)
    after = pull(env, admin, tenant, since=first["checkpoint"])
    assert [e["guid"] for e in after["events"]] == [late["guid"]]


def test_defect_3_and_4_a_failing_event_is_reported_and_never_served(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    bad = wire_event("update-individual", "nobody", {"name": "x"}, timestamp=at(1))
    bad.pop("userId")
    good = _person("ok", 2)
    answer = push(env, admin, tenant, bad, good)
    assert [r["status"] for r in answer["results"]] == ["rejected", "applied"]
    assert answer["status"] != "success" or answer["rejected"] == 1
    assert [e["guid"] for e in pull(env, admin, tenant)["events"]] == [good["guid"]]


def test_defect_5_the_third_update_in_one_batch_is_not_dropped(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    updates = [
        wire_event("update-individual", "ann", {"age": age}, timestamp=at(age)) for age in (1, 2, 3)
    ]
    push(env, admin, tenant, _person("ann", 0), *updates)
    got = env.client.simulate_get("/api/entities/ann", params={"configId": tenant}, headers=admin)
    assert got.status_code == 200, got.text
    assert got.json["data"]["age"] == 3


def test_defect_7_quotes_and_odd_keys_in_event_data_are_just_data(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    hostile = {"name": "O'Brien\"); DROP TABLE events; --", "age'; --": "x' OR '1'='1", "n": "1e"}
    push(env, admin, tenant, _person("p1", 0, **hostile), _person("p2", 1, name="O'Brien"))
    pulled = pull(env, admin, tenant)["events"]
    assert pulled[0]["data"] == {"name": "p1", **hostile}
    assert len(pulled) == 2


def test_defect_8_pending_duplicates_never_block_pulls(env: Env, admin: dict[str, str]) -> None:
    tenant = _tenant(env, admin)
    twins = [_person(f"twin-{i}", i, name="Amina Yusuf", birthDate="1990-01-01") for i in (0, 1)]
    push(env, admin, tenant, *twins)
    assert len(pull(env, admin, tenant)["events"]) == 2


def test_defect_10_a_user_cannot_reach_another_tenant_and_user_id_is_not_trusted(
    env: Env, admin: dict[str, str]
) -> None:
    t1, t2 = _tenant(env, admin, "t1"), _tenant(env, admin, "t2")
    alice_id, alice = _user(env, admin, "alice@example.org", (t1,))
    other = env.client.simulate_get("/api/sync/pull", params={"configId": t2}, headers=alice)
    assert other.status_code in (403, 404)
    forged = env.client.simulate_post(
        "/api/sync/push/audit-logs",
        json={
            "configId": t1,
            "auditLogs": [
                {"guid": "a", "timestamp": at(0), "action": "x", "entityGuid": "e", "userId": "99"}
            ],
        },
        headers=alice,
    )
    assert forged.status_code == 200
    logs = env.client.simulate_get(
        "/api/sync/pull/audit-logs", params={"configId": t1}, headers=admin
    ).json
    assert [entry["userId"] for entry in logs] == [str(alice_id)]


def test_defect_11_a_deleted_users_token_stops_working(env: Env, admin: dict[str, str]) -> None:
    tenant = _tenant(env, admin)
    bob_id, bob = _user(env, admin, "bob@example.org", (tenant,))
    assert env.client.simulate_get("/api/users/me", headers=bob).status_code == 200
    assert env.client.simulate_delete(f"/api/users/{bob_id}", headers=admin).status_code == 200
    assert env.client.simulate_get("/api/users/me", headers=bob).status_code == 401
    assert (
        env.client.simulate_get("/api/sync/pull", params={"configId": tenant}, headers=bob)
    ).status_code == 401


def test_defect_12_config_writes_need_an_admin_and_me_does_not(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    _, user = _user(env, admin, "carol@example.org", (tenant,))
    assert upload(env, user, person_config("t9")).status_code == 403
    assert env.client.simulate_delete(f"/api/apps/{tenant}", headers=user).status_code == 403
    assert env.client.simulate_get("/api/users/me", headers=user).status_code == 200


def test_defect_14_errors_are_problem_json_and_an_unknown_config_is_404(
    env: Env, admin: dict[str, str]
) -> None:
    missing = env.client.simulate_get("/api/apps/nope", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "<html" not in missing.text.lower()


def test_defect_17_the_same_guid_in_two_tenants_is_two_events(
    env: Env, admin: dict[str, str]
) -> None:
    t1, t2 = _tenant(env, admin, "t1"), _tenant(env, admin, "t2")
    event = _person("p1", 0)
    assert push(env, admin, t1, event)["applied"] == 1
    assert push(env, admin, t2, event)["applied"] == 1


def test_defect_18_posting_an_existing_config_is_409_and_keeps_the_artifact(
    env: Env, admin: dict[str, str]
) -> None:
    created = upload(env, admin, person_config("t1"))
    again = upload(env, admin, person_config("t1"))
    assert again.status_code == 409
    got = env.client.simulate_get("/api/apps/t1", headers=admin).json
    assert got["artifactId"] == created.json["artifactId"]


def test_defect_19_a_user_update_changes_the_email_without_a_password(
    env: Env, admin: dict[str, str]
) -> None:
    dave, _ = _user(env, admin, "dave@example.org", ())
    put = env.client.simulate_put(
        f"/api/users/{dave}", json={"email": "renamed@example.org", "role": "USER"}, headers=admin
    )
    assert put.status_code == 200, put.text
    users = env.client.simulate_get("/api/users", headers=admin).json
    assert "renamed@example.org" in {u["email"] for u in users}
    assert env.client.simulate_delete(f"/api/users/{dave}", headers=admin).status_code == 200


def test_defect_21_a_chunk_of_large_forms_is_accepted(env: Env, admin: dict[str, str]) -> None:
    tenant = _tenant(env, admin)
    big = [_person(f"p{i}", i, notes="x" * 20_000) for i in range(10)]  # ~200 kB
    assert push(env, admin, tenant, *big)["applied"] == 10


def test_defect_22_audit_logs_since_nothing_are_all_of_them(
    env: Env, admin: dict[str, str]
) -> None:
    tenant = _tenant(env, admin)
    entry = {"guid": "a1", "timestamp": at(0), "action": "x", "entityGuid": "e"}
    env.client.simulate_post(
        "/api/sync/push/audit-logs", json={"configId": tenant, "auditLogs": [entry]}, headers=admin
    )
    logs = env.client.simulate_get(
        "/api/sync/pull/audit-logs", params={"configId": tenant}, headers=admin
    )
    assert [e["guid"] for e in logs.json] == ["a1"]


def test_defect_23_health_routes_exist_and_the_document_has_the_api_prefix(env: Env) -> None:
    assert env.client.simulate_get("/health").status_code == 200
    paths = env.client.simulate_get("/api-docs/openapi.json").json["paths"]
    assert "/api/sync/push" in paths and "/sync/push" not in paths


def test_defect_24_next_cursor_is_always_present(env: Env, admin: dict[str, str]) -> None:
    tenant = _tenant(env, admin)
    assert "nextCursor" in pull(env, admin, tenant)


def test_defect_25_deleting_a_config_deletes_its_data(env: Env, admin: dict[str, str]) -> None:
    tenant = _tenant(env, admin)
    push(env, admin, tenant, _person("p1", 0))
    assert env.client.simulate_delete(f"/api/apps/{tenant}", headers=admin).status_code == 200
    _tenant(env, admin, tenant)
    assert pull(env, admin, tenant)["events"] == []
