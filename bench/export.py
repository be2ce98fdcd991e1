"""Data-out benchmark (issue 13): export rows/s and worker RSS, and OData page latency.

    .venv/bin/python bench/export.py                       # PG and SQLite, 100k entities
    .venv/bin/python bench/export.py --backend postgres --sizes 100k,1m

For each backend and size, one tenant is filled with N individuals of one form (5 form fields,
one nested container, an unlisted field on 1 in 10) through ``EntityRepository.save_many``.
Then, each in a fresh subprocess (``tests/support/export_memory.py``): a full CSV-zip export
and a full NDJSON export through ``ExportEntities`` and the same writers the HTTP route uses,
bytes discarded, reporting rows/s, the process's RSS before (after a warm-up export) and its
peak during the export. Targets: >= 50,000 rows/s for CSV/NDJSON on PostgreSQL; RSS growth
< 50 MB. Then OData pages of 1,000 through the real Falcon app in-process (falcon.testing, HTTP
Basic, credential remembered after the first request), each walking @odata.nextLink for 20
pages: from the start, from the middle (keyset), ``$orderby=updatedAt`` and ``updatedAt desc``,
``$filter=updatedAt gt <middle>`` without ``$orderby`` (paged in updatedAt order) and with
it; p50/p95 ms (wall) and p50 CPU ms per page. Target: < 100 ms at 1M. On PostgreSQL, the plans of a
middle page (guid order and updatedAt order) by EXPLAIN ANALYZE.

No ANALYZE and no VACUUM after the fill: the benchmark measures what a fresh bulk load gets
with no planner statistics (this machine's PostgreSQL runs with autovacuum off).

PostgreSQL runs on a dedicated schema, dropped afterwards (``--dsn``, ``POSTGRES_TEST`` or the
local server); SQLite on a temporary file. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.export_memory import T0, TENANT, open_database  # noqa: E402

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench password 1"


def _child(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.export_memory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


@contextmanager
def database_url(backend: str, dsn: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:{folder}/bench.sqlite3"
        return
    import psycopg
    from psycopg import sql

    schema = f"bench_export_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"pg:{schema}:{dsn}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def _plans(url: str, size: int) -> dict[str, Any]:
    """EXPLAIN ANALYZE of middle pages of 1,000, as the OData feed sends them (PostgreSQL)."""
    if not url.startswith("pg:"):
        return {}
    import psycopg

    from adapters_out.postgres.session import Session
    from ports.entity_scan import EntityScan, Order

    middle, when = f"p-{size // 2:08d}", T0 + timedelta(seconds=size // 2)
    scans = {
        "middle page, guid order": EntityScan(entity_name="person", limit=1000, after=middle),
        "middle page, updatedAt order": EntityScan(
            entity_name="person",
            limit=1000,
            after=middle,
            after_value=when,
            order=Order(field="updatedAt"),
        ),
    }
    _, schema, dsn = url.split(":", 2)
    out: dict[str, Any] = {}
    with open_database(url) as db, psycopg.connect(dsn, options=f"-c search_path={schema}") as conn:
        seen: list[tuple[Any, Any]] = []
        read = Session.read

        def recorded(self: Session, query: Any, params: Any = None) -> Any:
            seen.append((query, params))
            return read(self, query, params)

        for name, scan in scans.items():
            seen.clear()
            Session.read = recorded  # type: ignore[method-assign]
            try:
                with db(read_only=True) as uow:
                    uow.entities.scan(TENANT, scan)
            finally:
                Session.read = read  # type: ignore[method-assign]
            query, params = next((q, p) for q, p in seen if "FROM entities" in str(q))
            row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()
            assert row is not None
            plan = row[0][0]
            nodes, stack = [], [plan["Plan"]]
            while stack:
                node = stack.pop()
                nodes.append(
                    node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else "")
                )
                stack.extend(node.get("Plans", []))
            out[name] = {"nodes": nodes, "execution_ms": plan["Execution Time"]}
    return out


def _odata_pages(url: str, size: int) -> dict[str, Any]:
    from falcon import testing

    from adapters_in.http.app import create_app
    from adapters_in.http.config import HttpConfig
    from adapters_in.http.services import HttpServices
    from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
    from adapters_out.security.jwt_tokens import JwtTokenIssuer
    from adapters_out.system import RandomIds, SystemClock
    from domain.users import User
    from tests.support.wiring import wire_use_cases

    class NoIdp:
        def validate(self, *_: Any) -> None:
            return None

    with open_database(url) as db:
        hasher, clock = BcryptPasswordHasher(cost=10), SystemClock()
        with db() as uow:
            uow.users.add(
                User(
                    id=0,
                    email="analyst@example.org",
                    password_hash=hasher.hash(PASSWORD),
                    role="USER",
                    tenants=(TENANT,),
                )
            )
            uow.commit()
        use = wire_use_cases(
            db=db,
            clock=clock,
            ids=RandomIds(),
            hasher=hasher,
            tokens=JwtTokenIssuer("bench-" + "x" * 40, clock),
            identities=NoIdp(),
        )
        config = HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=0)
        client = testing.TestClient(create_app(HttpServices(use=use), config))
        token = base64.b64encode(f"analyst@example.org:{PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}

        cpu: list[float] = []

        def timed(path: str, params: dict[str, str] | None = None) -> tuple[float, dict]:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = client.simulate_get(path, params=params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert result.status_code == 200, result.text[:500]
            return elapsed, result.json

        first_ms, _ = timed(f"/odata/{TENANT}/person", {"$top": "1"})  # includes the bcrypt check

        def walk(params: dict[str, str], pages: int = 20) -> tuple[list[float], list[float]]:
            cpu.clear()
            took, body = timed(f"/odata/{TENANT}/person", params)
            times = [took]
            while len(times) < pages and "@odata.nextLink" in body:
                link = body["@odata.nextLink"].split("falconframework.org", 1)[1]
                took, body = timed(link)
                times.append(took)
            assert len(times) == pages, (params, len(times))
            return times, list(cpu)

        from adapters_in.http.odata.query import encode_token

        middle = f"p-{size // 2:08d}"
        when = (T0.timestamp() + size // 2) if size else 0
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
        since = f"updatedAt gt {stamp}"
        runs = {
            "first pages": walk({}),
            "middle pages": walk({"$skiptoken": encode_token(middle)}),
            "by updatedAt": walk({"$orderby": "updatedAt"}),
            "by updatedAt desc": walk({"$orderby": "updatedAt desc"}),
            # No $orderby: the feed pages a "changed since" filter in updatedAt order itself.
            "updatedAt gt middle, no $orderby": walk({"$filter": since}),
            "updatedAt gt middle, by updatedAt": walk({"$filter": since, "$orderby": "updatedAt"}),
        }
    out: dict[str, Any] = {"first request incl. bcrypt ms": round(first_ms, 1)}
    for name, (times, cpu_ms) in runs.items():
        times.sort()
        out[name] = {
            "pages": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "cpu_p50_ms": round(statistics.median(cpu_ms), 1),
        }
    return out


def _size(text: str) -> int:
    text = text.strip().lower()
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def main() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--sizes", default="100k", help="comma-separated, e.g. 100k,1m")
    parser.add_argument("--dsn", default=os.environ.get("POSTGRES_TEST") or LOCAL_DSN)
    args = parser.parse_args()
    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"# load average at start: {os.getloadavg()}")
    for backend in backends:
        for size in [_size(s) for s in args.sizes.split(",")]:
            with database_url(backend, args.dsn) as url:
                started = time.perf_counter()
                _child("fill", url, str(size))
                fill_s = time.perf_counter() - started
                result: dict[str, Any] = {"backend": backend, "entities": size}
                result["fill_s"] = round(fill_s, 1)
                print(f"# filled {size} in {fill_s:.1f} s; load {os.getloadavg()}", flush=True)
                for kind in ("csv", "ndjson"):
                    result[kind] = json.loads(_child("measure", url, kind))
                    result[kind]["load_after"] = [round(x, 2) for x in os.getloadavg()]
                result["odata"] = _odata_pages(url, size)
                result["plans"] = _plans(url, size)
                result["load_after"] = [round(x, 2) for x in os.getloadavg()]
                print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
