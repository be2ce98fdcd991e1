"""/metrics under ``datacollect serve`` (gunicorn, 2 workers): any worker's scrape is the sum.

Each push goes over a new connection, several at once, so both workers serve some; the samples
each worker wrote to ``DATA_DIR/metrics`` show that they did, and every scrape must report the
total of all of them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
import urllib3
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.client import Client, device_event
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.slow
PUSHED = "datacollect_sync_pushed_events_total"
REQUESTS = "datacollect_http_requests_total"
PUSH_OK = {"route": "/api/sync/push", "method": "POST", "status": "2xx"}
EVENTS_PER_PUSH, PUSHES_PER_ROUND = 5, 8
T0 = "2025-03-01T09:00:00.000Z"


def fresh_request(
    server: RunningServer, method: str, path: str, **kwargs: Any
) -> urllib3.BaseHTTPResponse:
    """A new connection per request (``Connection: close``), so the kernel may pick either
    worker's accept; keep-alive would pin a client to one worker."""
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=60))
    try:
        headers = {"Connection": "close", **kwargs.pop("headers", {})}
        return http.request(method, server.base_url + path, headers=headers, **kwargs)
    finally:
        http.clear()


def scrape(server: RunningServer) -> dict[tuple[str, frozenset], float]:
    response = fresh_request(server, "GET", "/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.data.decode())
        for s in family.samples
    }


def applied_per_worker(server: RunningServer) -> dict[int, float]:
    """What each worker process wrote to its own file (``counter_<pid>.db``)."""
    directory = server.log_path.parent / "data" / "metrics"
    counts: dict[int, float] = {}
    for file in directory.glob("counter_*.db"):
        merged = MultiProcessCollector.merge([str(file)])
        counts[int(file.stem.split("_")[1])] = sum(
            s.value
            for metric in merged
            for s in metric.samples
            if s.name == PUSHED and s.labels.get("status") == "applied"
        )
    return counts


def push_round(server: RunningServer, device: Client, tenant: str) -> None:
    errors: list[object] = []

    def push() -> None:
        events = [
            device_event("create-individual", str(uuid.uuid4()), {"name": "P"}, T0)
            for _ in range(EVENTS_PER_PUSH)
        ]
        body = json.dumps({"events": events, "configId": tenant}).encode()
        headers = {"Authorization": f"Bearer {device.token}", "Content-Type": "application/json"}
        response = fresh_request(server, "POST", "/api/sync/push", body=body, headers=headers)
        if response.status != 200 or json.loads(response.data)["applied"] != EVENTS_PER_PUSH:
            errors.append(response.data[:300])

    threads = [threading.Thread(target=push) for _ in range(PUSHES_PER_ROUND)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_every_scrape_adds_up_what_all_workers_counted(
    server: RunningServer, device: Client, tenant: str
) -> None:
    before, before_per_worker = scrape(server), applied_per_worker(server)
    rounds = 0
    while rounds < 10:  # until both workers have served pushes (the first round nearly always)
        push_round(server, device, tenant)
        rounds += 1
        after_per_worker = applied_per_worker(server)
        served = [p for p, n in after_per_worker.items() if n > before_per_worker.get(p, 0)]
        if len(served) >= 2:
            break
    assert len(served) >= 2, f"one worker served every push: {after_per_worker}"

    pushes = rounds * PUSHES_PER_ROUND
    for _ in range(4):  # whichever worker answers the scrape
        after = scrape(server)
        applied = frozenset({("status", "applied")})
        pushed = after[(PUSHED, applied)] - before.get((PUSHED, applied), 0)
        assert pushed == pushes * EVENTS_PER_PUSH
        ok = frozenset(PUSH_OK.items())
        assert after[(REQUESTS, ok)] - before.get((REQUESTS, ok), 0) == pushes


def test_health_sync_reports_the_pushes(admin: Client, device: Client, tenant: str) -> None:
    device.push(tenant, [device_event("create-individual", "p-1", {"name": "A"}, T0)])
    report = admin.call("GET", "/health/sync")
    mine = next(t for t in report["tenants"] if t["tenantId"] == tenant)
    assert (mine["feedHead"], mine["events"], mine["externalOutbox"]) == (1, 1, None)
    assert device.call("GET", "/health/sync", expect=403)["error"].startswith("Forbidden")
