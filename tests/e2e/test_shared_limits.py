"""Limits are exact across gunicorn workers: ``datacollect serve`` with 2 workers, on SQLite
(the limits file in DATA_DIR) and on PostgreSQL (the UNLOGGED table).

Every request goes over a new connection, several at once, so both workers serve some (each
worker's ``DATA_DIR/metrics/counter_<pid>.db`` shows it did). Per-worker counting would let
up to twice the budget through; the shared store lets through the budget, plus what refills
while the test runs.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.server import ADMIN_EMAIL, RunningServer, fresh_postgres_url, running_server
from tests.e2e.test_metrics import REQUESTS, fresh_request

pytestmark = pytest.mark.slow
PER_IP, PER_EMAIL, LOGINS_PER_IP = 30, 4, 10


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def limited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    workdir: Path = tmp_path_factory.mktemp(f"limits-{request.param}")
    with ExitStack() as stack:
        env = {
            "RATE_LIMIT_PER_IP": str(PER_IP),
            "LOGIN_ATTEMPTS_PER_EMAIL": str(PER_EMAIL),
            "LOGIN_ATTEMPTS_PER_IP": str(LOGINS_PER_IP),
            # Each test is its own client address, so the start-up probes cost them nothing.
            "TRUSTED_PROXY_COUNT": "1",
        }
        if request.param == "postgres":
            from tests.support.postgres_backend import postgres_dsn

            env["POSTGRES"] = stack.enter_context(fresh_postgres_url(postgres_dsn()))
        yield stack.enter_context(running_server(workdir, request.param, env))


def _requests_per_worker(server: RunningServer) -> list[float]:
    """Requests each worker process answered, from its own ``counter_<pid>.db``."""
    directory = server.log_path.parent / "data" / "metrics"
    return [
        sum(
            sample.value
            for metric in MultiProcessCollector.merge([str(file)])
            for sample in metric.samples
            if sample.name == REQUESTS
        )
        for file in directory.glob("counter_*.db")
    ]


def _burst(server: RunningServer, requests: int, threads: int, **kwargs) -> Counter[int]:  # type: ignore[no-untyped-def]
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    per_thread = requests // threads

    def run() -> None:
        for _ in range(per_thread):
            status = fresh_request(server, **kwargs).status
            with lock:
                statuses[status] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return statuses


def test_the_per_ip_budget_is_not_multiplied_by_the_workers(limited: RunningServer) -> None:
    """Bursts until each worker has answered at least a budget's worth of requests (which
    worker accepts a connection is the kernel's choice): per-worker counting would then have
    let through about twice the budget."""
    client = {"X-Forwarded-For": "203.0.113.1"}
    statuses: Counter[int] = Counter()
    started, sent = time.monotonic(), 0
    for _ in range(10):
        statuses += _burst(
            limited, 3 * PER_IP, threads=15, method="GET", path="/health", headers=client
        )
        sent += 3 * PER_IP
        served = _requests_per_worker(limited)
        if len(served) >= 2 and min(served) >= PER_IP:
            break
    elapsed = time.monotonic() - started
    refilled = math.ceil(elapsed * PER_IP / 60)
    assert statuses[200] + statuses[429] == sent, statuses
    assert len(served) >= 2 and min(served) >= PER_IP, f"one worker took (nearly) all: {served}"
    assert PER_IP <= statuses[200] <= PER_IP + refilled, (statuses, elapsed, served)


def test_failed_logins_are_counted_once_across_workers(limited: RunningServer) -> None:
    body = b'{"email": "' + ADMIN_EMAIL.encode() + b'", "password": "not the password"}'
    statuses = _burst(
        limited,
        12,
        threads=6,
        method="POST",
        path="/api/users/login",
        body=body,
        headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.2"},
    )
    assert statuses[401] == PER_EMAIL and statuses[429] == 12 - PER_EMAIL, statuses
