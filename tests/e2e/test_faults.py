"""Faults that already hold, kept holding (issue 11): a worker killed with SIGKILL during pushes,
and the whole SQLite server killed mid-push and started again on the same data. Every
acknowledged event is stored exactly once; a batch that got no answer is re-sent by the device
(as the real client does) and ends up stored exactly once too."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import urllib3

from tests.e2e.client import Client, HttpError, device_event
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, RunningServer, running_server

pytestmark = pytest.mark.slow


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def _batches(device: str, count: int) -> list[list[dict]]:
    return [
        [
            device_event(
                "create-individual",
                f"{device}-{b}-{i}",
                {"name": f"{device} {b} {i}"},
                f"2025-03-01T09:{b % 60:02d}:{i:02d}.000Z",
            )
            for i in range(10)
        ]
        for b in range(count)
    ]


def _push_until_answered(client: Client, tenant: str, batch: list[dict], acked: list[str]) -> None:
    for _ in range(200):
        try:
            reply = client.push(tenant, batch)
        except (HttpError, urllib3.exceptions.HTTPError):
            time.sleep(0.1)  # no answer, or a 5xx: the device sends the same batch again
            continue
        assert all(r["status"] in ("applied", "duplicate") for r in reply["results"]), reply
        acked.extend(e["guid"] for e in batch)
        return
    raise AssertionError("a batch was never acknowledged")


def _feed(client: Client, tenant: str) -> list[str]:
    """The whole feed, on fresh connections (a pooled keep-alive connection may have belonged to
    a killed worker), retried while workers are being replaced."""
    for _ in range(50):
        fresh = Client(client.base_url)
        fresh.token = client.token
        try:
            return [e["guid"] for page in fresh.pull_all(tenant, limit=500) for e in page["events"]]
        except (HttpError, urllib3.exceptions.HTTPError):
            time.sleep(0.2)
    raise AssertionError("the feed could not be read")


def test_killing_workers_during_pushes_loses_and_doubles_nothing(
    server: RunningServer, admin: Client, tenant: str
) -> None:
    acked: list[str] = []
    devices = [Client(server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD) for _ in range(3)]
    pushers = [
        threading.Thread(
            target=lambda c=c, n=n: [
                _push_until_answered(c, tenant, batch, acked) for batch in _batches(f"d{n}", 15)
            ]
        )
        for n, c in enumerate(devices)
    ]
    for thread in pushers:
        thread.start()
    killed = 0
    for _ in range(2):
        time.sleep(0.4)
        victims = _workers(server.pid)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            killed += 1
    assert killed == 2
    for thread in pushers:
        thread.join(timeout=180)
    feed = _feed(admin, tenant)
    assert len(feed) == len(set(feed))  # exactly once
    assert set(acked) == set(feed)
    assert len(acked) == 3 * 15 * 10


def test_killing_the_whole_sqlite_server_mid_push_keeps_what_was_acknowledged(
    tmp_path: Path,
) -> None:
    acked: list[str] = []
    batches = _batches("solo", 30)
    with running_server(tmp_path, "sqlite", {}) as first:
        client = Client(first.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        tenant = client.create_tenant("Faults")
        stop = threading.Event()

        def push() -> None:
            for batch in batches:
                if stop.is_set():
                    return
                try:
                    reply = client.push(tenant, batch)
                except (HttpError, urllib3.exceptions.HTTPError):
                    return  # the server is gone
                if all(r["status"] in ("applied", "duplicate") for r in reply["results"]):
                    acked.extend(e["guid"] for e in batch)

        pusher = threading.Thread(target=push)
        pusher.start()
        time.sleep(1.0)
        os.killpg(first.pid, signal.SIGKILL)  # master and workers, no shutdown at all
        stop.set()
        pusher.join(timeout=60)
    with running_server(tmp_path, "sqlite", {}) as second:
        client = Client(second.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        feed = _feed(client, tenant)
        assert len(feed) == len(set(feed))
        assert set(acked) <= set(feed)  # every acknowledged event survived the kill
        for batch in batches:  # the device re-sends everything it has not seen acknowledged
            _push_until_answered(client, tenant, batch, [])
        feed = _feed(client, tenant)
        assert sorted(feed) == sorted(e["guid"] for b in batches for e in b)


@pytest.mark.postgres
def test_cutting_the_database_connections_mid_push_then_restoring_them(tmp_path: Path) -> None:
    from urllib.parse import urlsplit, urlunsplit

    from psycopg.conninfo import conninfo_to_dict

    from tests.e2e.server import fresh_postgres_url
    from tests.postgres.proxy import TcpProxy
    from tests.support.postgres_backend import postgres_dsn

    dsn = postgres_dsn()
    target = conninfo_to_dict(dsn)
    proxy = TcpProxy(str(target.get("host") or "127.0.0.1"), int(target.get("port") or 5432))
    proxy.start()
    batches = _batches("cut", 40)
    acked: list[str] = []
    try:
        parts = urlsplit(dsn)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = (userinfo + "@" if userinfo else "") + f"127.0.0.1:{proxy.port}"
        with fresh_postgres_url(urlunsplit(parts._replace(netloc=netloc))) as url:
            env = {"POSTGRES": url, "DB_TIMEOUT": "1s"}
            with running_server(tmp_path, "postgres", env) as server:
                client = Client(server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)
                tenant = client.create_tenant("Cut")
                probe = Client(server.base_url)
                pusher = threading.Thread(
                    target=lambda: [_push_until_answered(client, tenant, b, acked) for b in batches]
                )
                pusher.start()
                time.sleep(0.5)
                proxy.stop()  # every database connection dropped, new ones refused
                time.sleep(1.5)
                probe.call("GET", "/health/db", expect=503)
                proxy.start()  # back: the same server recovers, no restart
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        probe.call("GET", "/health/db", expect=200)
                        break
                    except HttpError:
                        time.sleep(0.3)
                else:
                    raise AssertionError("/health/db did not come back")
                pusher.join(timeout=240)
                feed = _feed(client, tenant)
                assert len(feed) == len(set(feed))
                assert sorted(feed) == sorted(acked)
                assert len(acked) == 400
    finally:
        proxy.stop()
