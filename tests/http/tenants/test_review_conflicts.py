"""Conflicts over HTTP: two devices edit one field offline; whatever the arrival order, the
server converges and records exactly one conflict; an admin resolution reaches both devices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.http.tenants.helpers import person_config, pull, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env, make_env
from tests.support.events import iso, wire_event

T = "conf"


def scenario(order: str, db: object) -> tuple[Env, dict[str, str], dict[str, dict[str, str]], dict]:
    """Registrar creates a person; then Alice and Bob (different users, both offline) change
    the phone; both edits are created before the server receives either of them."""
    env, admin = make_env(db=db)
    assert upload(env, admin, person_config(T)).status_code == 201
    devices = {
        "alice": env.add_user(2, USER_ROLE, (T,)),
        "bob": env.add_user(3, USER_ROLE, (T,)),
    }
    start = env.clock.current
    create = wire_event(
        "create-individual",
        "p1",
        {"name": "Ada", "phone": "000", "entityName": "person"},
        timestamp=iso(start - timedelta(minutes=5)),
        guid="ev-create",
        user_id="registrar",
    )
    push(env, admin, T, create)
    edits = {
        "alice": wire_event(
            "update-individual",
            "p1",
            {"phone": "111"},
            timestamp=iso(env.clock.current + timedelta(minutes=1)),
            guid="ev-alice",
            user_id="alice",
        ),
        "bob": wire_event(
            "update-individual",
            "p1",
            {"phone": "222"},
            timestamp=iso(env.clock.current + timedelta(minutes=2)),
            guid="ev-bob",
            user_id="bob",
        ),
    }
    env.clock.advance(timedelta(minutes=10))  # both come back online later
    cursors = {who: pull(env, devices[who], T)["checkpoint"] for who in devices}
    for who in order.split(","):
        push(env, devices[who], T, edits[who])
    return env, admin, devices, cursors


def entity(env: Env, headers: dict[str, str]) -> dict:
    result = env.client.simulate_get("/api/entities/p1", params={"configId": T}, headers=headers)
    assert result.status_code == 200, result.text
    return result.json


def conflicts(env: Env, headers: dict[str, str], status: str = "open") -> list[dict]:
    result = env.client.simulate_get(
        "/api/conflicts", params={"configId": T, "status": status}, headers=headers
    )
    assert result.status_code == 200, result.text
    return result.json


def resolve(env: Env, headers: dict[str, str], conflict_id: str, resolution: str):
    return env.client.simulate_post(
        f"/api/conflicts/{conflict_id}/resolve",
        json={"resolution": resolution, "configId": T},
        headers=headers,
    )


def test_same_state_and_one_conflict_for_both_arrival_orders(databases) -> None:  # type: ignore[no-untyped-def]
    outcomes = []
    for order in ("alice,bob", "bob,alice"):
        env, admin, _, _ = scenario(order, databases())
        found = conflicts(env, admin)
        assert len(found) == 1, (order, found)
        outcomes.append((entity(env, admin), found[0]))
    (first, c1), (second, c2) = outcomes
    assert first == second
    assert first["data"]["phone"] == "222"  # last writer by (timestamp, guid)
    for key in ("id", "kind", "field", "winnerEventGuid", "loserEventGuid", "winnerValue"):
        assert c1[key] == c2[key]
    assert (c1["kind"], c1["field"], c1["winnerValue"], c1["loserValue"]) == (
        "concurrent-update",
        "phone",
        "222",
        "111",
    )


@pytest.mark.parametrize("order", ["alice,bob", "bob,alice"])
def test_apply_other_issues_an_event_both_devices_pull(order: str, database: object) -> None:
    env, admin, devices, cursors = scenario(order, database)
    conflict = conflicts(env, admin)[0]
    assert resolve(env, devices["alice"], conflict["id"], "apply-other").status_code == 403
    result = resolve(env, admin, conflict["id"], "apply-other")
    assert result.status_code == 200, result.text
    event_guid = result.json["eventGuid"]
    assert result.json["conflict"]["status"] == "resolved"
    assert result.json["conflict"]["resolution"] == "apply-other"
    for who, headers in devices.items():
        events = pull(env, headers, T, since=cursors[who])["events"]
        issued = [e for e in events if e["guid"] == event_guid]
        assert issued and issued[0]["type"] == "update-individual"
        assert issued[0]["data"] == {"phone": "111"}
    assert entity(env, admin)["data"]["phone"] == "111"
    assert conflicts(env, admin) == []
    assert len(conflicts(env, admin, "resolved")) == 1
    assert resolve(env, admin, conflict["id"], "keep").status_code == 409


def test_keep_changes_nothing_but_the_record(database: object) -> None:
    env, admin, _, _ = scenario("alice,bob", database)
    conflict = conflicts(env, admin)[0]
    head = pull(env, admin, T)["checkpoint"]
    result = resolve(env, admin, conflict["id"], "keep")
    assert result.status_code == 200 and result.json["eventGuid"] is None
    assert pull(env, admin, T, since=head)["events"] == []
    assert entity(env, admin)["data"]["phone"] == "222"
    assert conflicts(env, admin, "all")[0]["resolvedBy"] == "1"


def test_bad_requests_and_admin_only(database: object) -> None:
    env, admin, devices, _ = scenario("alice,bob", database)
    conflict_id = conflicts(env, admin)[0]["id"]
    listing = env.client.simulate_get(
        "/api/conflicts", params={"configId": T}, headers=devices["bob"]
    )
    assert listing.status_code == 403
    assert resolve(env, admin, "nope", "keep").status_code == 404
    assert resolve(env, admin, conflict_id, "merge").status_code == 422
    bad = env.client.simulate_get(
        "/api/conflicts", params={"configId": T, "status": "maybe"}, headers=admin
    )
    assert bad.status_code == 422
