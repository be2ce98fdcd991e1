"""Sync over real HTTP against ``datacollect serve`` (gunicorn, 2 workers), SQLite and PostgreSQL.

Every test works in its own tenant, so they share one server per backend.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.client import Client, device_event, events_of
from tests.e2e.server import RunningServer
from tests.support.events import iso

pytestmark = pytest.mark.slow
WIRE_KEYS = {"guid", "entityGuid", "type", "data", "timestamp", "userId", "syncLevel"}
MILLIS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def people(count: int, start: datetime = T0, step: timedelta = timedelta(seconds=1)) -> list[dict]:
    return [
        device_event(
            "create-individual", str(uuid.uuid4()), {"name": f"Person {n}"}, iso(start + n * step)
        )
        for n in range(count)
    ]


def test_push_in_chunks_of_ten_then_page_through_and_repush(device: Client, tenant: str) -> None:
    events = people(45)
    results = [r for reply in device.push_in_chunks(tenant, events) for r in reply["results"]]
    assert [r["status"] for r in results] == ["applied"] * 45
    assert [r["guid"] for r in results] == [e["guid"] for e in events]

    pages = device.pull_all(tenant, limit=10)
    pulled = events_of(pages)
    assert [len(p["events"]) for p in pages] == [10, 10, 10, 10, 5]
    assert [e["guid"] for e in pulled] == [e["guid"] for e in events]  # commit order, once each
    assert all(set(e) == WIRE_KEYS and MILLIS_Z.match(e["timestamp"]) for e in pulled)
    assert all(e["syncLevel"] == 1 for e in pulled)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", p["checkpoint"]) for p in pages)

    # The client re-pushes what it pulled, with its own ids and syncLevel: all duplicates.
    repushed = [{**e, "id": 10_000 + n} for n, e in enumerate(pulled)]
    replies = device.push_in_chunks(tenant, repushed)
    assert {r["status"] for reply in replies for r in reply["results"]} == {"duplicate"}
    assert sum(reply["duplicates"] for reply in replies) == 45
    assert device.pull(tenant, pages[-1]["checkpoint"]) == {
        "events": [],
        "nextCursor": None,
        "checkpoint": pages[-1]["checkpoint"],
    }


def test_invalid_events_are_rejected_one_by_one_and_listed(
    device: Client, admin: Client, tenant: str
) -> None:
    good = people(3)
    no_entity = {**people(1)[0], "entityGuid": ""}
    bad_time = {**people(1)[0], "timestamp": "yesterday"}
    unknown = device_event("teleport", "e1", {"to": "mars"}, iso(T0))
    reply = device.push(tenant, [good[0], no_entity, good[1], bad_time, None, unknown, good[2]])
    statuses = [r["status"] for r in reply["results"]]
    assert statuses == ["applied", "rejected", "applied", "rejected", "rejected", "rejected",
                        "applied"]  # fmt: skip
    assert (reply["status"], reply["applied"], reply["rejected"]) == ("partial", 3, 4)
    codes = [r.get("code") for r in reply["results"] if r["status"] == "rejected"]
    assert "invalid-timestamp" in codes and "invalid-event-type" in codes

    listed = admin.call("GET", f"/api/sync/rejected?configId={tenant}")
    assert listed["total"] == 4
    assert {bad_time["guid"], unknown["guid"]} <= {item["guid"] for item in listed["items"]}
    assert device.call("GET", f"/api/sync/rejected?configId={tenant}", expect=403)
    pulled = events_of(device.pull_all(tenant))
    assert [e["guid"] for e in pulled] == [e["guid"] for e in good]  # never served on pull


def test_legacy_since_receives_events_pushed_late_with_older_timestamps(
    server: RunningServer, admin: Client, tenant: str
) -> None:
    device_a = Client(server.base_url).login(admin.create_user(tenant), "device-password")
    device_b = Client(server.base_url).login(admin.create_user(tenant), "device-password")
    device_a.push_in_chunks(tenant, people(12, start=T0 + timedelta(hours=2)))
    first_sync = events_of(device_a.pull_all(tenant))
    # What the client stores: the largest device timestamp of the last page it received.
    last_seen = max(e["timestamp"] for e in first_sync)

    late = people(7, start=T0)  # created offline hours EARLIER, pushed only now
    device_b.push_in_chunks(tenant, late)

    second_sync = events_of(device_a.pull_all(tenant, since=last_seen))
    assert {e["guid"] for e in late} <= {e["guid"] for e in second_sync}


def test_same_timestamp_across_pages_is_all_delivered(device: Client, tenant: str) -> None:
    same = people(25, step=timedelta(0))  # 25 events with one identical timestamp
    device.push_in_chunks(tenant, same)
    pages = device.pull_all(tenant, limit=10)
    assert [len(p["events"]) for p in pages] == [10, 10, 5]
    assert sorted(e["guid"] for e in events_of(pages)) == sorted(e["guid"] for e in same)
    # A later legacy sync from that timestamp re-sends (at least) all of them, never fewer.
    again = events_of(device.pull_all(tenant, since=same[0]["timestamp"], limit=10))
    assert {e["guid"] for e in same} <= {e["guid"] for e in again}


def test_concurrent_devices_through_both_workers_lose_nothing(
    server: RunningServer, admin: Client, tenant: str
) -> None:
    devices = [
        Client(server.base_url).login(admin.create_user(tenant), "device-password")
        for _ in range(4)
    ]
    batches = [people(30, start=T0 + timedelta(days=d)) for d in range(4)]
    errors: list[BaseException] = []

    def sync(client: Client, events: list[dict]) -> None:
        try:
            client.push_in_chunks(tenant, events)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [
        threading.Thread(target=sync, args=pair) for pair in zip(devices, batches, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    pulled = [e["guid"] for e in events_of(devices[0].pull_all(tenant, limit=7))]
    assert len(pulled) == len(set(pulled)) == 120
    assert set(pulled) == {e["guid"] for batch in batches for e in batch}


def test_tenant_isolation_and_auth_failures(
    server: RunningServer, device: Client, admin: Client
) -> None:
    other = admin.create_tenant("Other")
    assert device.call("GET", f"/api/sync/pull?since=&configId={other}", expect=403)
    anonymous = Client(server.base_url)
    reply = anonymous.call("GET", f"/api/sync/pull?configId={other}", expect=401)
    assert reply["error"] == "Authorization header missing"
    assert anonymous.call("POST", "/api/users/login", {"email": "x@y.org", "password": "nope-nope"},
                          expect=401)["message"] == "Invalid email or password"  # fmt: skip
