"""Run in a subprocess by ``tests/sqlite/test_export_memory.py`` and ``bench/export.py``:
fill a database with N entities, or export it while sampling the process's RSS.

    python -m tests.support.export_memory fill sqlite:PATH N
    python -m tests.support.export_memory measure sqlite:PATH csv   # prints one JSON line
(``pg:SCHEMA:postgresql://...`` instead of ``sqlite:PATH`` for PostgreSQL, on that schema.)
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from domain.entities import Entity, FieldWrite
from domain.tenants import Tenant

TENANT = "big"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
FORMS = [
    {
        "name": "person",
        "formio": {
            "components": [
                {"type": "textfield", "key": "name", "input": True},
                {"type": "number", "key": "age", "input": True},
                {"type": "checkbox", "key": "head", "input": True},
                {
                    "type": "container",
                    "key": "address",
                    "input": True,
                    "components": [
                        {"type": "textfield", "key": "city", "input": True},
                        {"type": "textfield", "key": "street", "input": True},
                    ],
                },
            ]
        },
    }
]


@contextmanager
def open_database(url: str) -> Iterator[Any]:
    if url.startswith("sqlite:"):
        from adapters_out.sqlite import SqliteDatabase

        db: Any = SqliteDatabase(Path(url.removeprefix("sqlite:")), busy_timeout_ms=5000)
    else:
        from adapters_out.postgres import PostgresDatabase

        _, schema, dsn = url.split(":", 2)
        db = PostgresDatabase(dsn, schema=schema, min_size=1, max_size=2)
    try:
        if hasattr(db, "open"):
            db.open()
        db.migrate()
        yield db
    finally:
        db.close()


def person(n: int) -> Entity:
    at = T0 + timedelta(seconds=n)
    data = {
        "entityName": "person",
        "name": f"Person {n} Lastname",
        "age": n % 90,
        "head": n % 4 == 0,
        "address": {"city": f"City {n % 100}", "street": f"{n} Main Street"},
        "note": "an unlisted field" if n % 10 == 0 else None,
    }
    write = FieldWrite(event_guid=f"ev-{n}", user_id="u", timestamp=at, received_at=at)
    return Entity(
        guid=f"p-{n:08d}",
        type="individual",
        name=data["name"],
        data=data,
        version=1,
        last_updated=at,
        last_event_key=(at, f"ev-{n}"),
        provenance={"name": write},
    )


def fill(url: str, count: int, batch: int = 5_000) -> None:
    with open_database(url) as db:
        with db() as uow:
            if uow.tenants.get(TENANT) is None:
                config = {"id": TENANT, "name": "Big", "entityForms": FORMS}
                uow.tenants.add(Tenant(id=TENANT, name="Big", artifact_id="b" * 32, config=config))
            uow.commit()
        for start in range(0, count, batch):
            with db() as uow:
                people = [person(n) for n in range(start, min(count, start + batch))]
                uow.entities.save_many(TENANT, people, {})
                uow.commit()


def measure(url: str, kind: str) -> dict[str, Any]:
    from adapters_in.export_formats import WRITERS
    from application.exports import ExportEntities, ExportOptions
    from domain.users import Principal

    operator = Principal(user_id="0", email="bench@localhost", role="ADMIN", tenants=("*",))
    process = psutil.Process()
    with open_database(url) as db:
        export = ExportEntities(db)
        # warm-up: imports, connection, first pages (what any request would pay once); not
        # the whole export in pages of 10, which at 1M entities would be 100,000 queries
        warm_up = WRITERS[kind](export(operator, TENANT, ExportOptions(), page_size=10), _no)
        for n, _ in enumerate(warm_up):
            if n == 5:
                warm_up.close()
                break
        baseline = peak = process.memory_info().rss
        rows, size, started = 0, 0, time.perf_counter()
        cpu_before = sum(process.cpu_times()[:2])

        def counted(n: int) -> None:
            nonlocal rows
            rows += n

        for chunk in WRITERS[kind](export(operator, TENANT, ExportOptions()), counted):
            size += len(chunk)
            peak = max(peak, process.memory_info().rss)
        seconds = time.perf_counter() - started
        cpu_s = sum(process.cpu_times()[:2]) - cpu_before
    return {
        "format": kind,
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "cpu_s": round(cpu_s, 3),  # this process only (the database server's work excluded)
        "rows_per_cpu_s": round(rows / cpu_s) if cpu_s else None,
        "baseline_rss_mb": round(baseline / 2**20, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "growth_mb": round((peak - baseline) / 2**20, 1),
    }


def _no(_: int) -> None:
    return None


if __name__ == "__main__":
    command, url, arg = sys.argv[1:4]
    if command == "fill":
        fill(url, int(arg))
    else:
        print(json.dumps(measure(url, arg)))
