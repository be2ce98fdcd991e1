"""OData and export pages stay index ranges without planner statistics (a fresh bulk load,
autovacuum late or off): no Sort of the form's rows, no Seq Scan, at the start or deep in
the set, in guid order and in updatedAt order either way. (Sorting by a form field reads and
sorts the whole form: no index could serve every field, and that is documented.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ports.entity_scan import Comparison, EntityScan, Order
from tests.postgres.test_plans import explain, plan_nodes, recording
from tests.support.postgres_backend import postgres_database, postgres_dsn

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SIZE = 20_000
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _fill(conn: psycopg.Connection[Any]) -> None:
    for tenant, form in (("t1", "person"), ("t1", "household"), ("t2", "person")):
        conn.execute(
            "INSERT INTO entities (tenant_id, guid, type, name, entity_name, data, version,"
            " last_updated, member_ids, deleted, provenance, external_ids)"
            " SELECT %s, %s::text || lpad(n::text, 8, '0'), 'individual', 'N', %s,"
            " jsonb_build_object('entityName', %s::text, 'age', n %% 90), 1,"
            " %s::timestamptz + n * interval '1 second', '{}', n %% 50 = 0, '{}', '{}'"
            " FROM generate_series(1, %s) AS n",
            [tenant, form[0] + "-", form, form, T0, SIZE],
        )


def _scans() -> dict[str, EntityScan]:
    deep, when = f"p-{SIZE * 3 // 4:08d}", T0 + timedelta(seconds=SIZE * 3 // 4)
    person = EntityScan(entity_name="person", limit=1000)
    updated = Order(field="updatedAt")
    newest = Order(field="updatedAt", descending=True)
    since = Comparison(field="updatedAt", op="gt", value=T0 + timedelta(seconds=SIZE // 2))
    return {
        "first page": person,
        "deep page": EntityScan(entity_name="person", limit=1000, after=deep),
        "by updatedAt": EntityScan(entity_name="person", limit=1000, order=updated),
        "by updatedAt, deep": EntityScan(
            entity_name="person", limit=1000, order=updated, after=deep, after_value=when
        ),
        "newest first, deep": EntityScan(
            entity_name="person", limit=1000, order=newest, after=deep, after_value=when
        ),
        "updatedAt gt, by updatedAt": EntityScan(
            entity_name="person", limit=1000, order=updated, filter=since
        ),
    }


def test_pages_are_index_ranges_without_statistics(monkeypatch):
    with postgres_database() as db:
        conn = psycopg.connect(
            postgres_dsn(), autocommit=True, options=f"-c search_path={db.schema}"
        )
        with conn:
            conn.execute("ALTER TABLE entities SET (autovacuum_enabled = false)")
            _fill(conn)
            stats = conn.execute(
                "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
            ).fetchone()
            assert stats == (0,)
            for name, scan in _scans().items():
                with recording(monkeypatch) as statements, db(read_only=True) as uow:
                    rows = uow.entities.scan("t1", scan)
                assert len(rows) == 1000, name
                query, params = next(
                    (q, p) for q, p in statements if isinstance(q, str) and "FROM entities" in q
                )
                plan = explain(conn, query, params)
                nodes = list(plan_nodes(plan))
                kinds = {n["Node Type"] for n in nodes}
                assert not kinds & {"Sort", "Incremental Sort", "Seq Scan"}, (name, kinds)
                used = {n.get("Index Name") for n in nodes} - {None}
                assert used & {"entities_live_by_form", "entities_live_by_form_updated"}, (
                    name,
                    used,
                )
                conds = " ".join(n.get("Index Cond", "") for n in nodes)
                assert "entity_name" in conds, (name, conds)
                if scan.after is not None or scan.filter is not None:  # starts mid-range
                    assert "guid" in conds or "last_updated" in conds, (name, conds)
