"""HTTP sync benchmark: N devices push batches of 10 events to ``datacollect serve`` on
PostgreSQL, then one reader pulls the whole feed with pages of 100 and of 1,000.

    .venv/bin/python bench/http_sync.py                     # 16 devices x 1,000 events
    .venv/bin/python bench/http_sync.py --devices 32 --events 500 --workers 3 --threads 8
    .venv/bin/python bench/http_sync.py --cold --events 100000   # see bench/cold_start.py

It starts its own server (production mode, JSON access log to a file, rate limits off) on a
fresh schema of ``POSTGRES_TEST`` (default: the local server), so it measures the real stack:
gunicorn gthread workers, Falcon, the use cases and psycopg. Not a test: it prints figures.
Targets on 2 cores: push >= 5,000 events/s with p99 < 100 ms; pull >= 50,000 events/s.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cold_start import analyse_schema, run_cold
from bench.proc_metrics import CpuMeter, server_rss_mib
from tests.e2e.client import Client, device_event
from tests.e2e.server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    fresh_postgres_url,
    running_server,
)
from tests.support.events import iso

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def device_events(device: int, count: int) -> list[dict]:
    """Mostly new individuals, every fifth event an update of one created earlier."""
    start = datetime(2025, 5, 1, 8, tzinfo=UTC) + timedelta(minutes=device)
    events, guids = [], []
    rng = random.Random(device)  # birth dates spread like a population's (few shared keys)
    for n in range(count):
        stamp = iso(start + timedelta(milliseconds=250 * n))
        if n % 5 == 4:
            target = guids[n // 2]
            events.append(device_event("update-individual", target, {"visit": n}, stamp))
        else:
            guid = str(uuid.uuid4())
            guids.append(guid)
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365))
            name = {"name": f"Dev{device} Person{n}", "dateOfBirth": born.isoformat()}
            events.append(device_event("create-individual", guid, name, stamp))
    return events


def push_phase(
    tenant: str, clients: list[Client], work: list[list[dict]], batch: int = 10
) -> tuple[float, list]:
    latencies: list[float] = []
    lock, barrier = threading.Lock(), threading.Barrier(len(clients) + 1)

    def run(client: Client, events: list[dict]) -> None:
        mine = []
        barrier.wait()
        for i in range(0, len(events), batch):
            began = time.perf_counter()
            reply = client.push(tenant, events[i : i + batch])
            mine.append(time.perf_counter() - began)
            assert reply["applied"] == len(events[i : i + batch]), reply
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, work, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def pull_phase(client: Client, tenant: str, limit: int) -> tuple[int, float, int]:
    began = time.perf_counter()
    pages = client.pull_all(tenant, limit=limit, max_pages=10_000_000)  # 1M+ feeds
    elapsed = time.perf_counter() - began
    return sum(len(p["events"]) for p in pages), elapsed, len(pages)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument(
        "--events", type=int, default=None, help="timed events per device (1,000; cold 100,000)"
    )
    parser.add_argument(
        "--cold", action="store_true", help="1 device from 0 events, no planner statistics"
    )
    parser.add_argument("--plot", default=str(Path(__file__).with_name("cold-start.png")))
    parser.add_argument("--warmup", type=int, default=100, help="untimed events per device")
    parser.add_argument("--batch", type=int, default=10, help="events per push (at most 1,000)")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()
    if args.events is None:
        args.events = 100_000 if args.cold else 1000
    args.admin_email, args.admin_password = ADMIN_EMAIL, ADMIN_PASSWORD
    dsn = os.environ.get("POSTGRES_TEST") or LOCAL_DSN
    env = {
        "DATACOLLECT_ENV": "production",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "BCRYPT_ROUNDS": "10",
        "WEB_CONCURRENCY": str(args.workers),
        "WEB_THREADS": str(args.threads),
        "DB_POOL_MAX": str(args.threads + 2),
        "LOG_LEVEL": args.log_level,
    }
    with (
        tempfile.TemporaryDirectory(prefix="bench-http-") as workdir,
        fresh_postgres_url(dsn) as url,
    ):
        env["POSTGRES"] = url
        with running_server(Path(workdir), "postgres", env) as server:
            if args.cold:
                run_cold(server, args, url, device_events)
            else:
                report(server, args, url)


def report(server, args: argparse.Namespace, url: str) -> None:  # type: ignore[no-untyped-def]
    admin = Client(server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    tenant = admin.create_tenant("Bench")
    emails = [admin.create_user(tenant, "bench-password") for _ in range(args.devices)]
    clients = [Client(server.base_url).login(email, "bench-password") for email in emails]
    work = [device_events(d, args.events + args.warmup) for d in range(args.devices)]
    rss_idle, workers = server_rss_mib(server.pid)
    # Warm-up (untimed): connections, code paths, then planner statistics, as autovacuum's
    # ANALYZE would soon provide on any real database (a fresh schema has none).
    push_phase(tenant, clients, [w[: args.warmup] for w in work])
    analyse_schema(url)
    meter = CpuMeter(server.pid, url)
    before = meter.sample()
    elapsed, latencies = push_phase(tenant, clients, [w[args.warmup :] for w in work], args.batch)
    cpu = CpuMeter.spent(before, meter.sample())
    total = args.devices * args.events
    rss_after_push, _ = server_rss_mib(server.pid)
    print(f"server: {workers} gthread workers x {args.threads} threads, PostgreSQL, "
          f"{os.cpu_count()} CPUs shared with this client")  # fmt: skip
    print(f"push: {args.devices} devices x {args.events} events in batches of {args.batch} = "
          f"{total:,} events in {elapsed:.2f} s -> {total / elapsed:,.0f} events/s "
          f"({len(latencies) / elapsed:,.0f} requests/s)")  # fmt: skip
    print(f"push latency per batch of {args.batch}: p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")  # fmt: skip
    print("CPU per 1,000 pushed events: " + ", ".join(
        f"{part} {seconds / total * 1e6:.0f} ms" for part, seconds in cpu.items()))  # fmt: skip
    reader = Client(server.base_url).login(emails[0], "bench-password")
    for limit in (100, 1000):
        count, seconds, pages = pull_phase(reader, tenant, limit)
        assert count == total + args.devices * args.warmup, count
        print(f"pull, pages of {limit:>5}: {count:,} events in {pages} pages, {seconds:.2f} s "
              f"-> {count / seconds:,.0f} events/s")  # fmt: skip
    rss_end, _ = server_rss_mib(server.pid)
    print(f"server RSS (master + workers): idle {rss_idle:.0f} MiB, after push "
          f"{rss_after_push:.0f} MiB, after pulls {rss_end:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
