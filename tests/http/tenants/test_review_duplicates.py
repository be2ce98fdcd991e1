"""Potential duplicates over HTTP: flagged by the default rule, never blocking pull, resolved
by a server event that devices pull, and "keep both" never flagged again."""

from __future__ import annotations

from tests.http.tenants.helpers import person_config, pull, push, upload
from tests.http.tenants.wiring import USER_ROLE, Env
from tests.support.events import at, wire_event

T = "dups"


def person(guid: str, name: str, dob: str, minute: float) -> dict:
    data = {"name": name, "dateOfBirth": dob, "entityName": "person"}
    return wire_event("create-individual", guid, data, timestamp=at(minute), guid=f"ev-{guid}")


def listed(env: Env, headers: dict[str, str], status: str = "pending") -> list[dict]:
    result = env.client.simulate_get(
        "/api/potential-duplicates", params={"configId": T, "status": status}, headers=headers
    )
    assert result.status_code == 200, result.text
    return result.json


def resolve(env: Env, headers: dict[str, str], new: str, old: str, delete: bool):
    body = {"newItem": new, "existingItem": old, "shouldDeleteNewItem": delete, "configId": T}
    return env.client.simulate_post("/api/potential-duplicates/resolve", json=body, headers=headers)


def setup(env: Env, admin: dict[str, str]) -> dict[str, str]:
    assert upload(env, admin, person_config(T)).status_code == 201
    device = env.add_user(2, USER_ROLE, (T,))
    push(env, device, T, person("john-1", "John Smith", "1990-01-02", 1))
    push(env, device, T, person("john-2", "JOHN  SMITH", "1990-01-02", 2))
    push(env, device, T, person("john-3", "John Smith", "1985-05-05", 3))
    return device


def test_flagged_by_normalised_name_and_dob_only(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    pairs = listed(env, device)
    assert len(pairs) == 1
    pair = pairs[0]
    assert {pair["entityGuid"], pair["duplicateGuid"]} == {"john-1", "john-2"}
    assert pair["status"] == "pending" and pair["score"] == 1.0
    assert "same normalised name" in pair["reasons"] and "same date of birth" in pair["reasons"]


def test_pending_duplicates_never_block_pull(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    assert listed(env, device)
    events = pull(env, device, T)["events"]
    assert [e["entityGuid"] for e in events] == ["john-1", "john-2", "john-3"]


def test_keep_both_reaches_devices_and_is_never_flagged_again(
    env: Env, admin: dict[str, str]
) -> None:
    device = setup(env, admin)
    checkpoint = pull(env, device, T)["checkpoint"]
    assert resolve(env, device, "john-2", "john-1", False).status_code == 403
    result = resolve(env, admin, "john-2", "john-1", False)
    assert result.status_code == 200, result.text
    event_guid = result.json["eventGuid"]

    fresh = pull(env, device, T, since=checkpoint)["events"]
    assert [e["guid"] for e in fresh] == [event_guid]
    assert fresh[0]["type"] == "resolve-duplicate"
    assert fresh[0]["data"] == {
        "duplicates": [{"entityGuid": "john-2", "duplicateGuid": "john-1"}],
        "shouldDelete": False,
    }
    assert listed(env, device) == []
    assert [p["status"] for p in listed(env, device, "kept-both")] == ["kept-both"]

    again = {"name": "John Smith", "phone": "555"}
    push(env, device, T, wire_event("update-individual", "john-2", again, timestamp=at(9)))
    push(env, device, T, wire_event("update-individual", "john-1", again, timestamp=at(10)))
    assert listed(env, device) == []
    assert len(listed(env, device, "all")) == 1


def test_resolution_with_delete_removes_the_new_item(env: Env, admin: dict[str, str]) -> None:
    device = setup(env, admin)
    assert resolve(env, admin, "john-2", "john-1", True).status_code == 200
    entity = env.client.simulate_get("/api/entities/john-2", params={"configId": T}, headers=admin)
    assert entity.status_code == 404
    assert [p["status"] for p in listed(env, device, "all")] == ["deleted"]
    assert pull(env, device, T)["events"][-1]["data"]["shouldDelete"] is True


def test_bad_resolutions(env: Env, admin: dict[str, str]) -> None:
    setup(env, admin)
    assert resolve(env, admin, "john-2", "nobody", False).status_code == 404
    assert resolve(env, admin, "john-2", "john-2", False).status_code == 422
    bad = env.client.simulate_post(
        "/api/potential-duplicates/resolve",
        json={"newItem": "john-2", "existingItem": "john-1", "extra": 1, "configId": T},
        headers=admin,
    )
    assert bad.status_code == 422
    wrong = env.client.simulate_get(
        "/api/potential-duplicates", params={"configId": T, "status": "maybe"}, headers=admin
    )
    assert wrong.status_code == 422
