"""Hypothesis over the wire, on SQLite and PostgreSQL: arbitrary JSON values (non-finite and
huge numbers, NUL, lone surrogates, deep nesting), timestamps, guids, cursors and bodies for
push, pull, audit logs, app configs and users.

Properties: never a 5xx, never HTML; every good event of a batch is stored exactly once; all
that is pulled is strict JSON (RFC 8259) and re-pushes as ``duplicate``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from falcon import testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.http.tenants.helpers import person_config, upload
from tests.http.tenants.wiring import Env, make_env

pytestmark = pytest.mark.slow
_tenants = itertools.count()

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def wired(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Env, dict[str, str]]]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            from tests.support.sqlite_backend import sqlite_database

            db = stack.enter_context(sqlite_database(Path(tmp_path_factory.mktemp("props"))))
        else:
            from tests.support.postgres_backend import postgres_database

            db = stack.enter_context(postgres_database())
        yield make_env(db=db)


def _strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"not RFC 8259 JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _check(result: testing.Result) -> None:
    assert result.status_code < 500, result.text
    kind = result.headers.get("content-type", "")
    assert kind.startswith(("application/json", "application/problem+json")), kind
    assert "<html" not in result.text.lower()
    _strict(result.text)


def _new_tenant(env: Env, admin: dict[str, str]) -> str:
    tenant = f"prop-{next(_tenants)}"
    assert upload(env, admin, person_config(tenant)).status_code == 201
    return tenant


# -- strategies -----------------------------------------------------------------------------
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
numbers = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.just(10**40)
)
scalars = st.none() | st.booleans() | numbers | any_text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=12,
)


def _deep(levels: int) -> Any:
    value: Any = {"leaf": 1}
    for _ in range(levels):
        value = {"d": value}
    return value


good_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
good_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | good_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(good_text, inner, max_size=3),
    max_leaves=12,
)
hostile_data = st.dictionaries(any_text, json_values, min_size=1, max_size=4) | st.builds(
    _deep, st.integers(95, 130)
)
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


def _rfc3339(moment: datetime, zone: timezone, digits: int) -> str:
    local = moment.replace(tzinfo=UTC).astimezone(zone) if zone.utcoffset(None) else moment
    base = f"{local.year:04d}-{local:%m-%dT%H:%M:%S}"
    fraction = f".{local.microsecond:06d}"[: digits + 1] if digits else ""
    offset = zone.utcoffset(None) or timedelta()
    if not offset:
        return base + fraction + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{base}{fraction}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


timestamps = (
    st.builds(_rfc3339, instants, offsets, st.integers(0, 9))
    | st.sampled_from(
        [
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+02:00",
            "0000-01-01T00:00:00Z",
            "2025-02-30T00:00:00Z",
            "",
        ]
    )
    | any_text
    | numbers
)
guids = st.uuids().map(str) | any_text | st.text(min_size=190, max_size=210) | st.none()


@st.composite
def good_events(draw: Callable[..., Any]) -> Any:
    return {
        "guid": draw(st.uuids().map(str)),
        "entityGuid": draw(st.sampled_from(["p1", "p2", "p3"]) | st.uuids().map(str)),
        "type": "create-individual",
        "data": draw(st.dictionaries(good_text, good_values, min_size=1, max_size=4)),
        "timestamp": draw(st.builds(_rfc3339, instants, offsets, st.integers(0, 9))),
        "userId": "u1",
        "syncLevel": 0,
    }


@st.composite
def hostile_events(draw: Callable[..., Any]) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)  # not even an object
    event: dict[str, Any] = {
        "guid": draw(guids),
        "entityGuid": draw(guids),
        "type": draw(st.sampled_from(["create-individual", "update-individual", "nonsense"])),
        "data": draw(hostile_data),
        "timestamp": draw(timestamps),
        "userId": draw(st.sampled_from(["u1", "", 7]) | any_text),
        "syncLevel": 0,
    }
    for key in draw(st.lists(st.sampled_from(list(event)), max_size=2)):
        event.pop(key, None)
    return event


# -- properties -----------------------------------------------------------------------------
def _pull_all(env: Env, admin: dict[str, str], tenant: str) -> tuple[list[Any], list[str]]:
    texts, events_seen, since = [], [], ""
    for _ in range(100):
        result = env.client.simulate_get(
            "/api/sync/pull", params={"configId": tenant, "since": since}, headers=admin
        )
        assert result.status_code == 200, result.text
        texts.append(result.text)
        page = _strict(result.text)
        events_seen += page["events"]
        if page["nextCursor"] is None:
            return events_seen, texts
        since = page["nextCursor"]
    raise AssertionError("the feed never ended")


@SETTINGS
@given(batch=st.lists(good_events() | good_events() | hostile_events(), max_size=8))
def test_push_and_pull_keep_every_good_event_exactly_once(
    wired: tuple[Env, dict[str, str]], batch: list[Any]
) -> None:
    env, admin = wired
    tenant = _new_tenant(env, admin)
    body = json.dumps({"configId": tenant, "events": batch})  # NaN/Infinity written as such
    result = env.client.simulate_post(
        "/api/sync/push", body=body, headers={**admin, "Content-Type": "application/json"}
    )
    _check(result)
    assert result.status_code == 200, result.text
    results = result.json["results"]
    assert len(results) == len(batch)
    applied = [r["guid"] for r in results if r["status"] == "applied"]
    pulled, _ = _pull_all(env, admin, tenant)
    pulled_guids = [e["guid"] for e in pulled]
    assert len(pulled_guids) == len(set(pulled_guids))  # exactly once
    assert set(pulled_guids) == set(applied)
    if pulled:
        again = env.client.simulate_post(
            "/api/sync/push", json={"configId": tenant, "events": pulled}, headers=admin
        )
        _check(again)
        assert {r["status"] for r in again.json["results"]} == {"duplicate"}


@SETTINGS
@given(
    entries=st.lists(
        st.fixed_dictionaries(
            {"guid": any_text, "timestamp": timestamps, "action": any_text, "entityGuid": any_text},
            optional={"changes": json_values, "eventGuid": any_text, "signature": any_text},
        ),
        max_size=4,
    ),
    since=st.none() | any_text | st.sampled_from(["a2_0_0_" + "0" * 32, "0001-01-01T00:00:00Z"]),
)
def test_audit_logs_never_fail_and_serve_strict_json(
    wired: tuple[Env, dict[str, str]], entries: list[Any], since: str | None
) -> None:
    env, admin = wired
    tenant = _new_tenant(env, admin)
    body = json.dumps({"configId": tenant, "auditLogs": entries})
    pushed = env.client.simulate_post(
        "/api/sync/push/audit-logs",
        body=body,
        headers={**admin, "Content-Type": "application/json"},
    )
    _check(pushed)
    params = {"configId": tenant, **({"since": since} if since is not None else {})}
    pulled = env.client.simulate_get("/api/sync/pull/audit-logs", params=params, headers=admin)
    _check(pulled)
    if pushed.status_code == 200 and not since:
        assert len(pulled.json) == len(entries)


@SETTINGS
@given(extra=json_values, name=any_text, since=st.none() | any_text)
def test_app_configs_users_and_cursors_never_fail(
    wired: tuple[Env, dict[str, str]], extra: Any, name: str, since: str | None
) -> None:
    env, admin = wired
    tenant = f"prop-{next(_tenants)}"
    doc = {**person_config(tenant), "name": name or "x", "extra": extra}
    for form in (True, False):
        created = upload(env, admin, doc, form=form)
        _check(created)
        if created.status_code == 201:
            got = env.client.simulate_get(f"/api/apps/{tenant}", headers=admin)
            _check(got)
            assert got.json["extra"] == extra
            listed = env.client.simulate_get("/api/apps", headers=admin)
            _check(listed)
            env.client.simulate_delete(f"/api/apps/{tenant}", headers=admin)
    user = {"id": extra if isinstance(extra, str) else "", "email": name, "password": name * 3}
    _check(env.client.simulate_post("/api/users", json=user, headers=admin))
    pulled = env.client.simulate_get(
        "/api/sync/pull", params={"configId": "prop-0", "since": since or ""}, headers=admin
    )
    _check(pulled)
