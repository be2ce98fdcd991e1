"""``bench/http_sync.py --cold``: one device pushes batches of 10 into a fresh database that
nobody analyses (autovacuum disabled on every table of the fresh schema, no VACUUM or ANALYZE),
from 0 to ``--events`` events (default 100k). Prints p50/p99/max per 1,000-event bucket and
plots the curve to ``bench/cold-start.png`` (matplotlib, a dev extra), so a plan that degrades
as the tenant grows shows as a rising line. Target (issue 9): p50 <= 15 ms and no batch over
100 ms, flat from the first event.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.proc_metrics import server_rss_mib
from tests.e2e.client import Client

BUCKET = 1000
BATCH = 10


def no_statistics_ever(url: str) -> None:
    """Keep the fresh schema without planner statistics for the whole run, whatever the
    server's autovacuum setting."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL(
                    "ALTER TABLE {} SET (autovacuum_enabled = false,"
                    " toast.autovacuum_enabled = false)"
                ).format(sql.Identifier(table))
            )


def analyse_schema(url: str) -> None:
    """ANALYZE the run's own schema only: a bare ANALYZE would gather statistics in every
    schema of the database, including other runs' that must have none."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        names = sql.SQL(", ").join(sql.Identifier(t) for (t,) in tables)
        conn.execute(sql.SQL("ANALYZE {}").format(names))


def statistics_rows(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
        ).fetchone()
    return row[0] if row else -1


def buckets(latencies: list[float]) -> list[tuple[int, float, float, float]]:
    """(first event of the bucket, p50 ms, p99 ms, max ms) per 1,000 events."""
    per = BUCKET // BATCH
    rows = []
    for start in range(0, len(latencies), per):
        chunk = sorted(latencies[start : start + per])
        p99 = chunk[min(len(chunk) - 1, round(0.99 * (len(chunk) - 1)))]
        rows.append((start * BATCH, statistics.median(chunk) * 1000, p99 * 1000, chunk[-1] * 1000))
    return rows


def plot(rows: list[tuple[int, float, float, float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r[0] / 1000 for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(x, [r[1] for r in rows], label="p50")
    ax.plot(x, [r[2] for r in rows], label="p99")
    ax.plot(x, [r[3] for r in rows], label="max", linewidth=0.8, alpha=0.7)
    ax.axhline(15, color="grey", linestyle=":", label="p50 target 15 ms")
    ax.axhline(100, color="grey", linestyle="--", label="max target 100 ms")
    ax.set_xlabel("events stored (thousands)")
    ax.set_ylabel("push latency per batch of 10 (ms)")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run_cold(server: Any, args: argparse.Namespace, url: str, device_events: Any) -> None:
    no_statistics_ever(url)
    admin = Client(server.base_url).login(args.admin_email, args.admin_password)
    tenant = admin.create_tenant("Cold")
    email = admin.create_user(tenant, "bench-password")
    device = Client(server.base_url).login(email, "bench-password")
    events = device_events(0, args.events)
    latencies: list[float] = []
    began = time.perf_counter()
    for i in range(0, len(events), BATCH):
        started = time.perf_counter()
        reply = device.push(tenant, events[i : i + BATCH])
        latencies.append(time.perf_counter() - started)
        assert reply["applied"] == len(events[i : i + BATCH]), reply
    elapsed = time.perf_counter() - began
    rows = buckets(latencies)
    analysed = statistics_rows(url)
    rss, workers = server_rss_mib(server.pid)
    print(f"cold start: 1 device, {len(events):,} events in batches of {BATCH}, "
          f"{workers} gthread workers x {args.threads} threads, {elapsed:.1f} s "
          f"({len(events) / elapsed:,.0f} events/s); planner statistics rows at the end: "
          f"{analysed}; server RSS {rss:.0f} MiB")  # fmt: skip
    print("| events | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|")
    for first, p50, p99, top in rows:
        print(f"| {first:,}-{first + BUCKET:,} | {p50:.1f} | {p99:.1f} | {top:.1f} |")
    overall = sorted(latencies)
    print(f"overall: p50 {statistics.median(overall) * 1000:.1f} ms, "
          f"p99 {overall[round(0.99 * (len(overall) - 1))] * 1000:.1f} ms, "
          f"max {overall[-1] * 1000:.1f} ms, batches over 100 ms: "
          f"{sum(1 for v in overall if v > 0.1)}")  # fmt: skip
    if args.plot:
        title = f"Cold start: 1 device, batches of {BATCH}, no planner statistics"
        plot(rows, Path(args.plot), title)
        print(f"plot: {args.plot}")
