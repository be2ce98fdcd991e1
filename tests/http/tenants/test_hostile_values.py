"""Values that are not strict JSON, or that storage cannot hold, never cost good data and are
never stored or served: NaN/Infinity/overflow, NUL and lone surrogates, absurd nesting. Runs on
memory, SQLite and PostgreSQL (the 500s of issue 11 were PostgreSQL's)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.http.tenants.helpers import multipart, person_config, pull, upload
from tests.http.tenants.wiring import Env
from tests.support.events import wire_event


def _strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _event(guid: str, data_text: str) -> str:
    good = wire_event("create-individual", guid, {"name": "x"}, guid=guid)
    good["data"] = "__DATA__"
    return json.dumps(good).replace('"__DATA__"', data_text)


HOSTILE = {
    "nan": ('{"n": NaN}', "non-finite-number", "#/data/n"),
    "inf": ('{"n": Infinity}', "non-finite-number", "#/data/n"),
    "minus-inf": ('{"n": [1, -Infinity]}', "non-finite-number", "#/data/n/1"),
    "overflow": ('{"n": 1e999}', "non-finite-number", "#/data/n"),
    "nul": ('{"n": "a\\u0000b"}', "invalid-text", "#/data/n"),
    "surrogate": ('{"n": "\\ud800"}', "invalid-text", "#/data/n"),
    "deep": ('{"n": ' + "[" * 120 + "]" * 120 + "}", "too-deep", None),
}


def test_each_hostile_event_is_rejected_alone_and_the_rest_stored(
    env: Env, admin: dict[str, str]
) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    events = [_event("good-1", '{"name": "A"}')]
    events += [_event(f"bad-{name}", text) for name, (text, _, _) in HOSTILE.items()]
    events.append(_event("good-2", '{"name": "B", "big": 12345678901234567890123}'))
    body = '{"configId": "t1", "events": [' + ",".join(events) + "]}"
    result = env.client.simulate_post(
        "/api/sync/push", body=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert result.status_code == 200, result.text
    by_guid = {r["guid"]: r for r in result.json["results"]}
    assert by_guid["good-1"]["status"] == by_guid["good-2"]["status"] == "applied"
    for name, (_, code, _) in HOSTILE.items():
        assert by_guid[f"bad-{name}"]["status"] == "rejected", name
        assert by_guid[f"bad-{name}"]["code"] == code, name
    page = env.client.simulate_get("/api/sync/pull", params={"configId": "t1"}, headers=admin).text
    assert [e["guid"] for e in _strict(page)["events"]] == ["good-1", "good-2"]
    # The quarantine keeps the evidence, as strict JSON too.
    rejected = env.client.simulate_get(
        "/api/sync/rejected", params={"configId": "t1"}, headers=admin
    )
    assert rejected.status_code == 200
    items = _strict(rejected.text)["items"]
    assert {i["guid"] for i in items} == {f"bad-{name}" for name in HOSTILE}
    assert next(i for i in items if i["guid"] == "bad-nan")["event"]["data"] == {"n": "NaN"}


def test_a_re_push_of_pulled_events_is_a_duplicate(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    sent = wire_event("create-individual", "p1", {"name": "A", "n": 1e308, "t": "\u00e9\U0001f600"})
    env.client.simulate_post(
        "/api/sync/push", json={"configId": "t1", "events": [sent]}, headers=admin
    )
    pulled = pull(env, admin, "t1")["events"]
    again = env.client.simulate_post(
        "/api/sync/push", json={"configId": "t1", "events": pulled}, headers=admin
    )
    assert [r["status"] for r in again.json["results"]] == ["duplicate"]


@pytest.mark.parametrize("name", ["nan", "overflow", "nul", "surrogate", "deep"])
def test_audit_log_changes_with_hostile_values_are_a_422(
    env: Env, admin: dict[str, str], name: str
) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    entry = {
        "guid": "a1",
        "timestamp": "2025-01-01T00:00:00.000Z",
        "action": "x",
        "entityGuid": "e1",
        "changes": "__CHANGES__",
    }
    text = HOSTILE[name][0]
    body = json.dumps({"configId": "t1", "auditLogs": [entry]}).replace('"__CHANGES__"', text)
    result = env.client.simulate_post(
        "/api/sync/push/audit-logs",
        body=body,
        headers={**admin, "Content-Type": "application/json"},
    )
    assert result.status_code == 422, result.text
    assert result.headers["content-type"] == "application/problem+json"
    assert result.json["errors"][0]["code"] == HOSTILE[name][1]
    assert result.json["errors"][0]["pointer"].startswith("#/auditLogs/0/changes")
    pulled = env.client.simulate_get(
        "/api/sync/pull/audit-logs", params={"configId": "t1"}, headers=admin
    )
    assert pulled.json == []


@pytest.mark.parametrize("form", [True, False])
@pytest.mark.parametrize("name", ["nan", "overflow", "surrogate", "deep"])
def test_app_configs_with_hostile_values_are_a_422(
    env: Env, admin: dict[str, str], name: str, form: bool
) -> None:
    doc = json.dumps({**person_config("t1"), "extra": "__X__"}).replace('"__X__"', HOSTILE[name][0])
    if form:
        parts = multipart(doc.encode())
        headers = {**admin, "Content-Type": parts["content_type"]}
        result = env.client.simulate_post("/api/apps", body=parts["body"], headers=headers)
    else:
        headers = {**admin, "Content-Type": "application/json"}
        result = env.client.simulate_post("/api/apps", body=doc, headers=headers)
    assert result.status_code == 422, result.text
    assert result.json["errors"][0]["code"] == HOSTILE[name][1]
    assert env.client.simulate_get("/api/apps/t1", headers=admin).status_code == 404


@pytest.mark.parametrize("form", [True, False])
def test_a_config_nested_5000_levels_is_a_400(env: Env, admin: dict[str, str], form: bool) -> None:
    doc = '{"id": "t1", "name": "x", "entityForms": [], "deep": ' + "[" * 5000 + "]" * 5000 + "}"
    if form:
        parts = multipart(doc.encode())
        headers = {**admin, "Content-Type": parts["content_type"]}
        result = env.client.simulate_post("/api/apps", body=parts["body"], headers=headers)
    else:
        headers = {**admin, "Content-Type": "application/json"}
        result = env.client.simulate_post("/api/apps", body=doc, headers=headers)
    assert result.status_code == 400, result.text
    assert result.headers["content-type"] == "application/problem+json"


EDGES = {
    "0001-01-01T00:00:00Z": "0001-01-01T00:00:00.000Z",
    "0001-01-01T01:30:00+01:30": "0001-01-01T00:00:00.000Z",
    "0999-06-01T12:00:00.5Z": "0999-06-01T12:00:00.500Z",
    "9999-12-31T23:59:59.999Z": "9999-12-31T23:59:59.999Z",
    "9999-12-31T18:59:59-05:00": "9999-12-31T23:59:59.000Z",
}
BEYOND = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+02:00", "0000-06-01T00:00:00Z"]


def test_calendar_edges_round_trip_and_beyond_is_rejected_per_event(
    env: Env, admin: dict[str, str]
) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    events = [
        wire_event("create-individual", f"p{i}", {"name": "A"}, timestamp=ts, guid=f"in-{i}")
        for i, ts in enumerate(EDGES)
    ]
    events += [
        wire_event("create-individual", f"q{i}", {"name": "B"}, timestamp=ts, guid=f"out-{i}")
        for i, ts in enumerate(BEYOND)
    ]
    result = env.client.simulate_post(
        "/api/sync/push", json={"configId": "t1", "events": events}, headers=admin
    )
    assert result.status_code == 200, result.text
    statuses = {r["guid"]: (r["status"], r.get("code")) for r in result.json["results"]}
    assert all(statuses[f"in-{i}"] == ("applied", None) for i in range(len(EDGES)))
    assert all(
        statuses[f"out-{i}"] == ("rejected", "timestamp-out-of-range") for i in range(len(BEYOND))
    )
    pulled = pull(env, admin, "t1")["events"]
    assert sorted(e["timestamp"] for e in pulled) == sorted(EDGES.values())
    again = env.client.simulate_post(
        "/api/sync/push", json={"configId": "t1", "events": pulled}, headers=admin
    )
    assert {r["status"] for r in again.json["results"]} == {"duplicate"}


@pytest.mark.parametrize(
    "since",
    ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", *BEYOND, "a1_-99999999999999999_1"],
)
def test_legacy_since_at_the_edges_is_never_a_500(
    env: Env, admin: dict[str, str], since: str
) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    for path in ("/api/sync/pull", "/api/sync/pull/audit-logs"):
        result = env.client.simulate_get(
            path, params={"configId": "t1", "since": since}, headers=admin
        )
        assert result.status_code in (200, 400), (path, result.text)


def test_audit_logs_at_the_edges(env: Env, admin: dict[str, str]) -> None:
    assert upload(env, admin, person_config("t1")).status_code == 201
    entries = [
        {"guid": f"a{i}", "timestamp": ts, "action": "x", "entityGuid": "e"}
        for i, ts in enumerate(EDGES)
    ]
    result = env.client.simulate_post(
        "/api/sync/push/audit-logs", json={"configId": "t1", "auditLogs": entries}, headers=admin
    )
    assert result.status_code == 200, result.text
    pulled = env.client.simulate_get(
        "/api/sync/pull/audit-logs", params={"configId": "t1"}, headers=admin
    ).json
    assert sorted(e["timestamp"] for e in pulled) == sorted(EDGES.values())
    bad = [{"guid": "b", "timestamp": BEYOND[0], "action": "x", "entityGuid": "e"}]
    result = env.client.simulate_post(
        "/api/sync/push/audit-logs", json={"configId": "t1", "auditLogs": bad}, headers=admin
    )
    assert result.status_code == 422
    assert result.json["errors"][0]["code"] == "timestamp-out-of-range"


def test_bad_cursors_are_a_400_problem(env: Env, admin: dict[str, str]) -> None:
    from domain.cursor import MAX_POSITION, CursorCodec
    from tests.support.cursors import CURSORS

    assert upload(env, admin, person_config("t1")).status_code == 201
    assert upload(env, admin, person_config("t2")).status_code == 201
    foreign = CursorCodec.from_secret("another server")
    forged_big = "c2_" + "1y2p0ij32e8e8" + "_" + "0" * 32  # 2^63 in base 36, unsigned
    for since in (
        foreign.encode("t1", 0),
        CURSORS.encode("t2", 0),  # another tenant's
        forged_big,
        "c1_0_0000000000",
        "a2_0_0_" + "0" * 32,
    ):
        for path in ("/api/sync/pull", "/api/sync/pull/audit-logs"):
            result = env.client.simulate_get(
                path, params={"configId": "t1", "since": since}, headers=admin
            )
            assert result.status_code == 400, (path, since, result.text)
            assert result.headers["content-type"] == "application/problem+json"
    top = env.client.simulate_get(
        "/api/sync/pull",
        params={"configId": "t1", "since": CURSORS.encode("t1", MAX_POSITION)},
        headers=admin,
    )
    assert top.status_code == 200 and top.json["events"] == []
