"""External-sync benchmark (issue 10): records/s and remote calls per record.

    .venv/bin/python bench/external.py               # 10,000 changes and 10,000 partners
    .venv/bin/python bench/external.py --n 2000      # smaller, for a busy machine

1. Push: ``--n`` individuals are pushed by a device (``PushEvents``, batches of 1,000, which
   also writes their outbox rows), then one external-sync run delivers them to
   - FakeOpenFn (api-key trigger): batches of 500 changes per POST;
   - FakeOdoo (OpenSPP JSON-RPC): ``--households`` households first, then individuals, each a
     member of one of them (lookup, create, membership: the target is <= 3 calls/individual).
   Timed: the run only (``RunExternalSync``), records/s = delivered rows / run seconds.
   ``--latency-ms`` makes FakeOdoo sleep per call, to show the run is bounded by the remote.
2. Pull: FakeOdoo holds ``--n`` partners (write_date ties in groups of ~50), one run pulls
   them into entities (pages of 500), records/s = pulled / run seconds.

Storage: SQLite in a temporary directory (``--backend postgres`` with ``--dsn``/``POSTGRES_TEST``
uses a throw-away schema via the test helper). The fakes run in this process (threads), so
their CPU cost is included in the figures. Not a test: it prints figures (and JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters_out.external.fakes.odoo import FakeOdoo
from adapters_out.external.fakes.servers import FakeOpenFn, running
from tests.external.conftest import ADMIN_USER, build, event


def _open(backend: str, tmp: Path, stack: ExitStack) -> Any:
    from tests.contract.conftest import open_backend

    return stack.enter_context(open_backend(backend, tmp))


def _device_push(harness: Any, tenant: str, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 1000):
        harness.device_push(tenant, events[start : start + 1000])


def bench_openfn(backend: str, n: int) -> dict[str, Any]:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        db = _open(backend, Path(tmp), stack)
        fake = stack.enter_context(running(FakeOpenFn(mode="api-key", api_key="k")))
        harness = build(db, deadline_s=3600.0)
        harness.add_tenant(
            "fn",
            {"type": "openfn", "url": fake.url, "extraFields": [{"name": "apiKey", "value": "k"}]},
        )
        _device_push(harness, "fn", [event(f"e{i}", f"p{i}") for i in range(n)])
        started = time.perf_counter()
        run = harness.sync(ADMIN_USER, "fn")
        took = time.perf_counter() - started
        assert run.pushed == n, run
        return {
            "records": n,
            "seconds": round(took, 2),
            "records_per_s": round(n / took),
            "calls_per_record": round(len(fake.journal) / n, 4),
        }


def bench_openspp_push(backend: str, n: int, households: int, latency_ms: float) -> dict[str, Any]:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        db = _open(backend, Path(tmp), stack)
        fake = stack.enter_context(running(FakeOdoo()))
        if latency_ms:
            from adapters_out.external.fakes.servers import Fault

            fake.fail(Fault(sleep_s=latency_ms / 1000, times=10**9))
        harness = build(db, deadline_s=3600.0)
        harness.add_tenant("spp", _odoo_config(fake))
        groups = [
            event(f"g{h}", f"hh{h}", "create-group", name=f"Household {h}")
            for h in range(households)
        ]
        people = [
            event(
                f"e{i}", f"p{i}", firstName=f"F{i}", lastName="L", parentGuid=f"hh{i % households}"
            )
            for i in range(n)
        ]
        _device_push(harness, "spp", groups + people)
        started = time.perf_counter()
        run = harness.sync(ADMIN_USER, "spp")
        took = time.perf_counter() - started
        assert run.pushed == n + households, run
        individual_calls = len(fake.calls) - 2 * households
        return {
            "records": n + households,
            "seconds": round(took, 2),
            "records_per_s": round((n + households) / took),
            "rpc_calls": len(fake.calls) + 1,
            "calls_per_individual": round(individual_calls / n, 3),
            "latency_ms": latency_ms,
        }


def bench_openspp_pull(backend: str, n: int) -> dict[str, Any]:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        db = _open(backend, Path(tmp), stack)
        fake = stack.enter_context(running(FakeOdoo()))
        fake.tick_per_write = timedelta(0)
        for i in range(n):
            if i % 50 == 0:
                fake.now += timedelta(seconds=1)  # ties in groups of 50
            fake.create_record(
                "res.partner",
                {"name": f"P{i}", "given_name": f"G{i}", "is_registrant": True, "is_group": False},
            )
        harness = build(db, deadline_s=3600.0)
        harness.add_tenant("spp", _odoo_config(fake))
        started = time.perf_counter()
        run = harness.sync(ADMIN_USER, "spp")
        took = time.perf_counter() - started
        assert run.pulled == n, run
        return {
            "records": n,
            "seconds": round(took, 2),
            "records_per_s": round(n / took),
            "calls_per_record": round(len(fake.journal) / n, 4),
        }


def _odoo_config(fake: FakeOdoo) -> dict[str, Any]:
    fields = {"database": "openspp", "username": "admin", "password": "admin"}
    return {
        "type": "openspp",
        "url": fake.url,
        "extraFields": [{"name": k, "value": v} for k, v in fields.items()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    results = {
        "openfn_push": bench_openfn(args.backend, args.n),
        "openspp_push": bench_openspp_push(args.backend, args.n, args.households, args.latency_ms),
        "openspp_pull": bench_openspp_pull(args.backend, args.n),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, figures in results.items():
        print(f"{name:14s} " + "  ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
