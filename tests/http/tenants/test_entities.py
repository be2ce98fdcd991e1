"""Entity read APIs: upstream shapes, newest first, filters, counts, one entity with members
and an ETag, its events oldest first."""

from __future__ import annotations

from tests.http.tenants.helpers import person_config, push, upload
from tests.http.tenants.wiring import Env
from tests.support.events import at, wire_event

T = "ents"


def get(env: Env, headers: dict[str, str], path: str, **params: object):
    return env.client.simulate_get(path, params={"configId": T, **params}, headers=headers)


def setup(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, person_config(T)).status_code == 201
    push(
        env,
        admin,
        T,
        wire_event(
            "create-group",
            "hh",
            {
                "name": "Home",
                "entityName": "household",
                "members": [{"guid": "m1", "name": "Ann", "entityName": "person"}],
            },
            timestamp=at(1),
            guid="e1",
        ),
        wire_event(
            "create-individual",
            "solo",
            {"name": "Sam", "entityName": "person"},
            timestamp=at(3),
            guid="e2",
        ),
        wire_event("update-group", "hh", {"size": 2}, timestamp=at(2), guid="e3"),
        wire_event("create-individual", "nameless", {"x": 1}, timestamp=at(4), guid="e4"),
    )


def test_list_shape_order_and_filters(env: Env, admin: dict[str, str]) -> None:
    setup(env, admin)
    listed = get(env, admin, "/api/entities").json
    assert [e["guid"] for e in listed] == ["nameless", "solo", "hh", "m1"]
    assert listed[1] == {
        "guid": "solo",
        "id": "solo",
        "name": "Sam",
        "entityName": "person",
        "type": "individual",
        "data": {"name": "Sam", "entityName": "person"},
        "lastUpdated": at(3),
    }
    assert [e["guid"] for e in get(env, admin, "/api/entities", limit=2).json] == [
        "nameless",
        "solo",
    ]
    assert [e["guid"] for e in get(env, admin, "/api/entities", type="group").json] == ["hh"]
    by_form = get(env, admin, "/api/entities", entityName="person").json
    assert [e["guid"] for e in by_form] == ["solo", "m1"]
    assert get(env, admin, "/api/entities", limit=5000).status_code == 200
    assert get(env, admin, "/api/entities", type="robot").status_code == 400
    assert get(env, admin, "/api/entities", limit="many").status_code == 400


def test_counts(env: Env, admin: dict[str, str]) -> None:
    setup(env, admin)
    assert get(env, admin, "/api/entities/count").json == {"count": 4}
    assert get(env, admin, "/api/entities/count-by-form").json == {"household": 1, "person": 2}


def test_one_entity_with_members_and_etag(env: Env, admin: dict[str, str]) -> None:
    setup(env, admin)
    result = get(env, admin, "/api/entities/hh")
    assert result.status_code == 200
    body = result.json
    assert body["version"] == 2 and result.headers["etag"] == '"2"'
    assert body["memberIds"] == ["m1"] and body["members"][0]["name"] == "Ann"
    assert body["data"] == {"name": "Home", "entityName": "household", "size": 2}
    cached = env.client.simulate_get(
        "/api/entities/hh", params={"configId": T}, headers={**admin, "If-None-Match": '"2"'}
    )
    assert cached.status_code == 304
    assert get(env, admin, "/api/entities/unknown").status_code == 404


def test_events_of_an_entity_oldest_first(env: Env, admin: dict[str, str]) -> None:
    setup(env, admin)
    events = get(env, admin, "/api/entities/hh/events").json
    assert [e["guid"] for e in events] == ["e1", "e3"]
    assert set(events[0]) == {
        "guid",
        "entityGuid",
        "type",
        "data",
        "timestamp",
        "userId",
        "syncLevel",
    }
    assert get(env, admin, "/api/entities/unknown/events").json == []


def test_unknown_tenant_is_404(env: Env, admin: dict[str, str]) -> None:
    result = env.client.simulate_get("/api/entities", params={"configId": "nope"}, headers=admin)
    assert result.status_code == 404
