"""Two server instances (separate gunicorn masters, 2 workers each, different ports) on ONE
PostgreSQL: simulated devices push and pull through either at random. Every device ends with
the whole feed exactly once, both instances serve the same entities, the feed has no gap and no
duplicate, and the retention cleanup that all four workers schedule never runs twice at once.
"""

from __future__ import annotations

import itertools
import random
import secrets
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.e2e.client import Client, device_event
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, fresh_postgres_url, running_server
from tests.support.events import iso

pytestmark = pytest.mark.slow
DEVICES, ROUNDS, PER_PUSH = 6, 10, 5
NOISE = 2_500  # old read-audit rows the cleanup must delete exactly once in all
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Device:
    """A tablet: pushes its own events, edits entities it has pulled, resumes by cursor."""

    def __init__(self, name: str, clients: list[Client], tenant: str, seed: int) -> None:
        self.name, self.clients, self.tenant = name, clients, tenant
        self.rng = random.Random(seed)
        self.cursor = ""
        self.pulled: list[str] = []  # event guids, in the order the feed served them
        self.known: list[str] = []  # entity guids seen on pull
        self.pushed: set[str] = set()
        self.offline_skew = timedelta(minutes=self.rng.randint(0, 120))  # a late-syncing clock

    def client(self) -> Client:
        return self.rng.choice(self.clients)

    def push_round(self, round_no: int) -> None:
        events = []
        for n in range(PER_PUSH):
            when = iso(T0 + timedelta(minutes=round_no, seconds=n) - self.offline_skew)
            if self.known and self.rng.random() < 0.4:  # edit someone's entity: conflicts
                target = self.rng.choice(self.known)
                data = {"name": f"{self.name}-r{round_no}-{n}"}
                events.append(device_event("update-individual", target, data, when))
            else:
                data = {"name": f"{self.name} person {round_no}.{n}"}
                events.append(device_event("create-individual", str(uuid.uuid4()), data, when))
        reply = self.client().push(self.tenant, events)
        assert [r["status"] for r in reply["results"]] == ["applied"] * len(events), reply
        self.pushed.update(e["guid"] for e in events)

    def pull_round(self) -> None:
        while True:
            page = self.client().pull(self.tenant, self.cursor, limit=self.rng.choice([7, 50]))
            for event in page["events"]:
                self.pulled.append(event["guid"])
                if event["type"].startswith("create-"):
                    self.known.append(event["entityGuid"])
            self.cursor = page["nextCursor"] or page["checkpoint"]
            if page["nextCursor"] is None:
                return

    def run(self, errors: list[BaseException]) -> None:
        try:
            for round_no in range(ROUNDS):
                self.push_round(round_no)
                self.pull_round()
        except BaseException as error:  # reported by the main thread
            errors.append(error)


def _noise(dsn: str, tenant: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO audit_log (tenant_id, guid, timestamp, user_id, action, entity_guid,"
            " event_guid, changes, signature, origin)"
            " SELECT %s, 'noise-' || n, now() - interval '400 days', 'system', 'read-entity',"
            " '', '', '{}', '', 'server' FROM generate_series(1, %s) AS n",
            (tenant, NOISE),
        )


def _entities(client: Client, tenant: str) -> dict[str, Any]:
    listed = client.call("GET", f"/api/entities?configId={tenant}&limit=1000")
    return {e["guid"]: e for e in listed}


def test_two_instances_on_one_postgres_converge_and_clean_up_one_at_a_time(
    tmp_path: Path,
) -> None:
    from tests.support.postgres_backend import postgres_dsn

    shared = {
        "JWT_SECRET": secrets.token_urlsafe(48),  # tokens and cursors valid on both
        "RETENTION_INTERVAL": "1s",  # every worker of both instances tries every second
        "RETENTION_READ_AUDIT": "30d",
        "PULL_ACTIVITY_FLUSH": "1s",
    }
    with ExitStack() as stack:
        url = stack.enter_context(fresh_postgres_url(postgres_dsn()))
        shared["POSTGRES"] = url
        dirs = [tmp_path / "a", tmp_path / "b"]
        for d in dirs:
            d.mkdir()
        # Started one after the other: the second finds the schema migrated and the admin made.
        servers = [stack.enter_context(running_server(d, "postgres", shared)) for d in dirs]
        admins = [Client(s.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD) for s in servers]
        tenant = admins[0].create_tenant("Scale-out")
        _noise(url, tenant)

        devices = []
        for n in range(DEVICES):
            email = admins[n % 2].create_user(tenant)
            clients = [Client(s.base_url).login(email, "device-password") for s in servers]
            devices.append(Device(f"dev{n}", clients, tenant, seed=n))
        errors: list[BaseException] = []
        threads = [threading.Thread(target=d.run, args=(errors,)) for d in devices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not errors, errors[0]
        for device in devices:  # one last pull each, through either instance
            device.pull_round()

        pushed = set().union(*(d.pushed for d in devices))
        assert len(pushed) == DEVICES * ROUNDS * PER_PUSH
        with psycopg.connect(url) as conn:
            seqs = [
                row[0]
                for row in conn.execute(
                    "SELECT seq FROM events WHERE tenant_id = %s ORDER BY seq", (tenant,)
                )
            ]
            feed = [
                row[0]
                for row in conn.execute(
                    "SELECT guid FROM events WHERE tenant_id = %s ORDER BY seq", (tenant,)
                )
            ]
        assert seqs == list(range(1, len(pushed) + 1))  # no gap, no duplicate, nothing unnumbered
        for device in devices:
            # Pulled page by page through random instances while everyone pushed: the whole
            # feed, each event once, in feed order.
            assert device.pulled == feed, device.name
        a, b = (_entities(admin, tenant) for admin in admins)
        assert a == b and len(a) > 0
        for admin in admins:
            from_start = [e["guid"] for e in _pull_everything(admin, tenant)]
            assert from_start == feed

        time.sleep(3)  # > RETENTION_INTERVAL and PULL_ACTIVITY_FLUSH: both had their turn
        report = admins[1].call("GET", "/health/sync")
        [row] = [t for t in report["tenants"] if t["tenantId"] == tenant]
        assert row["lastPullAt"] is not None and row["feedHead"] == len(feed)
        assert report["retention"]["recentRuns"][0]["status"] in ("succeeded", "running")

        with psycopg.connect(url) as conn:
            runs = conn.execute(
                "SELECT runner, started_at, finished_at, status, counts FROM job_runs"
                " WHERE name = 'retention' ORDER BY started_at"
            ).fetchall()
            noise_left = conn.execute(
                "SELECT count(*) FROM audit_log WHERE guid LIKE 'noise-%%'"
            ).fetchone()[0]
    finished = [r for r in runs if r[2] is not None]
    assert len(finished) >= 3, runs
    assert all(r[3] == "succeeded" for r in finished)
    for earlier, later in itertools.pairwise(finished):
        assert earlier[2] <= later[1], f"two cleanups overlapped: {earlier} / {later}"
    assert noise_left == 0
    assert sum(r[4].get("read-audit", 0) for r in finished) == NOISE  # deleted exactly once


def _pull_everything(client: Client, tenant: str) -> list[dict]:
    events, cursor = [], ""
    while cursor is not None:
        page = client.pull(tenant, cursor, limit=1000)
        events += page["events"]
        cursor = page["nextCursor"]
    return events
