"""Where a push's server-side time goes: the WSGI app in this process (no HTTP server, no
network), on a fresh PostgreSQL schema without statistics, pushing ``--events`` in batches of
``--batch`` the way a device does. Prints this process's CPU per 1,000 events (Python: the
server's own work) next to PostgreSQL's, and with ``--profile FILE`` writes a cProfile of
the pushes (read it with ``python -m pstats FILE`` or snakeviz).

    .venv/bin/python bench/push_profile.py --events 20000 --batch 1000 --profile /tmp/push.prof
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from falcon import testing

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.http_sync import LOCAL_DSN, device_events
from bench.proc_metrics import postgres_cpu_s
from tests.e2e.server import fresh_postgres_url

ADMIN = ("bench-admin@example.org", "bench admin password")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--profile", default=None, help="write a cProfile of the timed pushes")
    parser.add_argument(
        "--pull-profile", default=None, help="then pull the feed by pages of 100; cProfile it"
    )
    args = parser.parse_args()
    dsn = os.environ.get("POSTGRES_TEST") or LOCAL_DSN
    with tempfile.TemporaryDirectory() as data_dir, fresh_postgres_url(dsn) as url:
        from bootstrap.container import build_container
        from bootstrap.first_start import prepare_database
        from bootstrap.settings import Settings
        from bootstrap.wsgi import create_app

        env = {
            "DATACOLLECT_ENV": "production",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "POSTGRES": url,
            "DATA_DIR": data_dir,
            "BCRYPT_ROUNDS": "10",
            "ADMIN_EMAIL": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_PER_IP": "0",
            "RATE_LIMIT_PER_USER": "0",
        }
        settings = Settings.from_env(env)
        prepare_database(settings, build_container(settings))  # migrations, the first admin
        client = testing.TestClient(create_app(env))
        token = client.simulate_post(
            "/api/users/login", json={"email": ADMIN[0], "password": ADMIN[1]}
        ).json["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        tenant = "bench-profile"
        made = client.simulate_post(
            "/api/apps", json={"id": tenant, "name": "Bench", "entityForms": []}, headers=headers
        )
        assert made.status_code == 201, made.text
        events = device_events(0, args.events)
        bodies = [
            json.dumps({"configId": tenant, "events": events[i : i + args.batch]}).encode()
            for i in range(0, len(events), args.batch)
        ]
        profiler = cProfile.Profile() if args.profile else None
        pg_before, cpu_before, wall_before = postgres_cpu_s(url), time.process_time(), time.time()
        if profiler:
            profiler.enable()
        for body in bodies:
            reply = client.simulate_post("/api/sync/push", body=body, headers=headers)
            assert reply.status_code == 200 and reply.json["status"] == "success", reply.text
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        wall = time.time() - wall_before
        cpu, pg = time.process_time() - cpu_before, postgres_cpu_s(url) - pg_before
        per = 1000 / args.events
        print(
            f"{args.events:,} events in batches of {args.batch}: {wall:.2f} s wall"
            f" ({args.events / wall:,.0f} events/s); CPU per 1,000 events: server (Python)"
            f" {cpu * per * 1000:.0f} ms, PostgreSQL {pg * per * 1000:.0f} ms"
            + (" (under cProfile)" if profiler else "")
        )
        if args.pull_profile:
            pull_feed(client, headers, tenant, url, args.pull_profile)


def pull_feed(client: testing.TestClient, headers: dict, tenant: str, url: str, out: str) -> None:
    """The whole feed by pages of 100, as a device's first sync reads it, under cProfile."""
    profiler = cProfile.Profile()
    pulled, since = 0, ""
    pg_before, cpu_before, wall_before = postgres_cpu_s(url), time.process_time(), time.time()
    profiler.enable()
    while True:
        reply = client.simulate_get(
            "/api/sync/pull",
            params={"configId": tenant, "since": since, "limit": "100"},
            headers=headers,
        )
        page = reply.json
        pulled += len(page["events"])
        if not page["nextCursor"]:
            break
        since = page["nextCursor"]
    profiler.disable()
    profiler.dump_stats(out)
    wall = time.time() - wall_before
    cpu, pg = time.process_time() - cpu_before, postgres_cpu_s(url) - pg_before
    print(
        f"pull: {pulled:,} events by pages of 100 in {wall:.2f} s ({pulled / wall:,.0f} events/s"
        f" under cProfile); CPU per 1,000 events: server (Python) {cpu / pulled * 1e6:.0f} ms,"
        f" PostgreSQL {pg / pulled * 1e6:.0f} ms"
    )


if __name__ == "__main__":
    main()
