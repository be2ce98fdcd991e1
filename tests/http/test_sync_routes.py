"""Push, pull, rejected events and provider tokens over HTTP (protocol: Sync, Authentication)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.http.conftest import KEYCLOAK_TOKEN, Api
from tests.support.events import at, wire_event

WIRE_KEYS = {"guid", "entityGuid", "type", "data", "timestamp", "userId", "syncLevel"}
MILLIS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def push(api: Api, events: list[Any], who: str = "alice", tenant: str = "t1"):  # type: ignore[no-untyped-def]
    return api.client.simulate_post(
        "/api/sync/push", json={"events": events, "configId": tenant}, headers=api.auth(who)
    )


def pull(api: Api, who: str = "alice", **params: Any):  # type: ignore[no-untyped-def]
    return api.client.simulate_get(
        "/api/sync/pull", params={"configId": "t1", **params}, headers=api.auth(who)
    )


def test_push_reports_one_result_per_event_in_order_even_for_non_objects(api: Api) -> None:
    good = wire_event("create-individual", "p1", {"name": "Ann"})
    bad_time = wire_event("create-individual", "p2", {"name": "Bo"}, timestamp="yesterday")
    result = push(api, [None, good, 42, bad_time, good])
    assert result.status_code == 200  # compat: 200 even when some events are rejected
    body = result.json
    assert body["status"] == "partial"
    assert [r["status"] for r in body["results"]] == [
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert body["results"][0] == {
        "guid": None,
        "status": "rejected",
        "code": "invalid-event",
        "message": "each event must be a JSON object",
    }
    assert body["results"][3]["code"] == "invalid-timestamp"
    assert (body["applied"], body["duplicates"], body["rejected"]) == (1, 1, 3)


def test_a_plain_re_push_is_a_duplicate_and_unknown_fields_are_ignored(api: Api) -> None:
    event = {**wire_event("create-individual", "p1", {"name": "Ann"}), "extra": {"x": 1}}
    assert push(api, [event]).json["status"] == "success"
    again = push(api, [{**event, "id": 999, "syncLevel": 1}]).json
    assert again["results"] == [{"guid": event["guid"], "status": "duplicate"}]


def test_an_empty_batch_is_fine(api: Api) -> None:
    assert push(api, []).json == {
        "status": "success",
        "results": [],
        "applied": 0,
        "duplicates": 0,
        "rejected": 0,
    }


def test_config_id_defaults_to_the_legacy_tenant(api: Api) -> None:
    result = api.client.simulate_post(
        "/api/sync/push",
        json={"events": [wire_event("create-individual", "p1", {"name": "A"})]},
        headers=api.auth("admin"),
    )
    assert result.status_code == 200
    assert pull(api, who="admin", configId="default").json["events"][0]["entityGuid"] == "p1"


def test_pull_pages_with_next_cursor_always_present(api: Api) -> None:
    first = pull(api)
    assert first.json == {"events": [], "nextCursor": None, "checkpoint": first.json["checkpoint"]}
    events = [wire_event("create-individual", f"p{i}", {"name": str(i)}) for i in range(5)]
    push(api, events)
    seen, since, pages = [], "", 0
    while since is not None:
        page = pull(api, since=since, limit=2).json
        assert "nextCursor" in page
        seen += page["events"]
        since, pages = page["nextCursor"], pages + 1
    assert pages == 3
    assert [e["guid"] for e in seen] == [e["guid"] for e in events]
    for event in seen:
        assert set(event) == WIRE_KEYS
        assert MILLIS_Z.match(event["timestamp"])
        assert event["syncLevel"] == 1


def test_pull_accepts_a_legacy_timestamp(api: Api) -> None:
    push(api, [wire_event("create-individual", "p1", {"name": "A"}, timestamp=at(10))])
    page = pull(api, since=at(10)).json  # at least once: the boundary event is re-sent
    assert [e["timestamp"] for e in page["events"]] == [at(10)]
    assert page["nextCursor"] is None


@pytest.mark.parametrize("limit", ["abc", "-1", "1.5"])
def test_a_bad_limit_is_400(api: Api, limit: str) -> None:
    assert pull(api, limit=limit).status_code == 400


def test_provider_tokens_sync_only_their_tenant(api: Api) -> None:
    keycloak = {"Authorization": f"keycloak {KEYCLOAK_TOKEN}"}
    ok = api.client.simulate_post(
        "/api/sync/push",
        json={"events": [wire_event("create-individual", "p1", {"name": "A"})], "configId": "t1"},
        headers=keycloak,
    )
    assert ok.status_code == 200
    # t2 has no keycloak authConfig: the token cannot be validated there.
    other = api.client.simulate_get("/api/sync/pull", params={"configId": "t2"}, headers=keycloak)
    assert other.status_code == 401
    assert other.json["error"] == "Invalid token"
    # A provider principal is never an admin.
    rejected = api.client.simulate_get(
        "/api/sync/rejected", params={"configId": "t1"}, headers=keycloak
    )
    assert rejected.status_code == 401  # not a sync route: only our JWT is accepted


def test_provider_validation_is_cached_and_scheme_is_case_sensitive(api: Api) -> None:
    keycloak = {"Authorization": f"keycloak {KEYCLOAK_TOKEN}"}
    for _ in range(3):
        assert pull(api, who="alice").status_code == 200  # warm-up with our JWT: no IdP call
        api.client.simulate_get("/api/sync/pull", params={"configId": "t1"}, headers=keycloak)
    assert len(api.idp.calls) == 1
    assert api.idp.calls[0][1]["client_secret"] == "s3cret"  # secrets are put back in
    upper = {"Authorization": f"Keycloak {KEYCLOAK_TOKEN}"}
    result = api.client.simulate_get("/api/sync/pull", params={"configId": "t1"}, headers=upper)
    assert result.status_code == 401


def test_our_jwt_under_a_provider_scheme_is_accepted_without_calling_the_idp(api: Api) -> None:
    headers = {"Authorization": f"keycloak {api.token('alice')}"}
    result = api.client.simulate_get("/api/sync/pull", params={"configId": "t1"}, headers=headers)
    assert result.status_code == 200
    assert api.idp.calls == []


def test_rejected_events_are_listed_for_admins(api: Api) -> None:
    bad = wire_event("create-individual", "p1", {"name": "A"}, timestamp="nope")
    push(api, [bad])
    result = api.client.simulate_get(
        "/api/sync/rejected", params={"configId": "t1"}, headers=api.auth("admin")
    )
    assert result.status_code == 200
    assert result.json["total"] == 1
    item = result.json["items"][0]
    assert (item["guid"], item["code"], item["attempts"]) == (bad["guid"], "invalid-timestamp", 1)
    assert item["event"] == bad
    assert MILLIS_Z.match(item["receivedAt"])


def test_callback_is_the_compat_placeholder(api: Api) -> None:
    result = api.client.simulate_get(
        "/api/sync/pull/callback", params={"configId": "t1"}, headers=api.auth("alice")
    )
    assert result.json == {"status": "not implemented"}


def test_the_body_config_id_counts_even_without_a_content_type(api: Api) -> None:
    body = b'{"events": [], "configId": "t2"}'
    result = api.client.simulate_post("/api/sync/push", body=body, headers=api.auth("alice"))
    assert result.status_code == 403  # alice may not use t2: the body's tenant was used


def test_a_batch_over_the_limit_is_413_with_a_pointer_and_stores_nothing(api: Api) -> None:
    events = [wire_event("create-individual", f"p{n}", {"name": "Ann"}) for n in range(1001)]
    result = push(api, events)
    assert result.status_code == 413
    assert result.headers["content-type"].startswith("application/problem+json")
    assert result.json["code"] == "batch-too-large"
    assert result.json["errors"] == [
        {
            "pointer": "#/events",
            "code": "batch-too-large",
            "detail": "at most 1000 events per push: send the rest in another request",
        }
    ]
    assert pull(api).json["events"] == []
