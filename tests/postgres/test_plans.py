"""The push and pull statements take bounded plans whatever the planner's statistics say.

Every statement a push or a pull sends is recorded (through the session) while a workload runs
that reaches every step: new entities (phantom check, duplicate candidates), updates, a late
event (re-fold), a re-push (duplicate), a rejected event, a deletion, and pulls by cursor.
Each recorded statement is then EXPLAINed, with its own parameters, in the situations that
made the old statements quadratic:

- no statistics at all (fresh database, autovacuum off),
- statistics gathered while the tenant was small, which has since grown,
- a new tenant in a database analysed while another tenant was large,
- and, for contrast, fresh statistics on a large tenant.

In each, no plan may read a tenant table by a Seq Scan, or by an index range that is bounded by
the tenant alone: every index condition names a key column (guid, entity_guid, event_guid, key,
seq, pair_key), so the rows read are bounded by the keys the statement was given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from adapters_out.postgres import PostgresDatabase, entities, events
from adapters_out.postgres.session import Session
from tests.conftest import ADMIN
from tests.postgres.conftest import wire
from tests.support.events import BASE, iso, wire_event
from tests.support.postgres_backend import postgres_database, postgres_dsn

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TENANT_TABLES = {
    "events",
    "event_touches",
    "entities",
    "entity_match_keys",
    "potential_duplicates",
    "conflicts",
    "audit_log",
    "quarantine",
}
KEY_COLUMN = re.compile(r"\b(guid|entity_guid|event_guid|key|seq|pair_key|duplicate_guid)\b")
LARGE = 20_000  # events of the large tenant: big enough for a wrong plan to be the cheap one
STATEMENT = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

Recorded = list[tuple[str, Any]]


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    """Every SQL statement sent through a unit of work while the block runs."""
    seen: Recorded = []
    read, write = Session.read, Session.write

    def recorded_read(self: Session, query: Any, params: Any = None) -> Any:
        seen.append((query, params))
        return read(self, query, params)

    def recorded_write(self: Session, query: Any, params: Any = None) -> Any:
        seen.append((query, params))
        return write(self, query, params)

    with monkeypatch.context() as patch:
        patch.setattr(Session, "read", recorded_read)
        patch.setattr(Session, "write", recorded_write)
        yield seen


def fill(conn: psycopg.Connection[Any], tenant: str, first: int, count: int) -> None:
    """``count`` events of ``tenant`` from number ``first`` on (two per individual), their
    touches, the individuals with two match keys each, duplicate pairs and rejected events,
    written directly (fast)."""
    params = {"t": tenant, "s": first, "e": first + count - 1}
    conn.execute(
        'INSERT INTO events (tenant_id, guid, seq, entity_guid, type, data, "timestamp",'
        " user_id, sync_level, received_at, pushed_by)"
        " SELECT %(t)s, 'e' || lpad(i::text, 7, '0'), i + 1, 'p' || lpad((i / 2)::text, 7, '0'),"
        " 'create-individual', '{\"name\": \"x\"}', now(), 'u', 0, now(), 'u'"
        " FROM generate_series(%(s)s::int, %(e)s::int) AS i",
        params,
    )
    conn.execute(
        "INSERT INTO event_touches SELECT %(t)s, 'e' || lpad(i::text, 7, '0'),"
        " 'p' || lpad((i / 2)::text, 7, '0') FROM generate_series(%(s)s::int, %(e)s::int) AS i",
        params,
    )
    conn.execute(
        "INSERT INTO entities (tenant_id, guid, type, name, data, version, last_updated,"
        " member_ids, deleted, provenance, external_ids)"
        " SELECT %(t)s, 'p' || lpad(i::text, 7, '0'), 'individual', 'x', '{}', 1, now(), '{}',"
        " false, '{}', '{}' FROM generate_series(%(s)s::int / 2, %(e)s::int / 2) AS i"
        " ON CONFLICT DO NOTHING",
        params,
    )
    conn.execute(
        "INSERT INTO entity_match_keys SELECT %(t)s, 'k' || (i %% 5000) || '-' || j,"
        " 'p' || lpad(i::text, 7, '0') FROM generate_series(%(s)s::int / 2, %(e)s::int / 2) AS i,"
        " generate_series(1, 2) AS j ON CONFLICT DO NOTHING",
        params,
    )
    conn.execute(
        "INSERT INTO potential_duplicates (tenant_id, pair_key, entity_guid, duplicate_guid,"
        " score, reasons, status) SELECT %(t)s, 'p' || i || '|p' || (i + 1), 'p' || i,"
        " 'p' || (i + 1), 0.9, '{}', CASE WHEN i %% 3 = 0 THEN 'pending' ELSE 'kept-both' END"
        " FROM generate_series(%(s)s::int / 2, %(e)s::int / 2) AS i ON CONFLICT DO NOTHING",
        params,
    )
    conn.execute(
        "INSERT INTO quarantine SELECT %(t)s, 'q' || i, '{}', 'invalid-event', 'why', now(),"
        " 'u', 1 FROM generate_series(%(s)s::int / 4, %(e)s::int / 4) AS i",
        params,
    )
    conn.execute(
        "INSERT INTO feed_heads VALUES (%s, %s)"
        " ON CONFLICT (tenant_id) DO UPDATE SET last_seq = EXCLUDED.last_seq",
        (tenant, first + count),
    )


def workload(db: PostgresDatabase, tenant: str) -> None:
    """One push and pull of each kind; every step's statements are exercised."""
    app = wire(db, None, tenant)
    born = {"dateOfBirth": "1980-02-03"}
    creates = [
        wire_event(
            "create-individual",
            f"w{i}",
            {"name": f"Ana Silva{i % 2}", **born},
            timestamp=iso(BASE + timedelta(minutes=i)),
        )
        for i in range(10)
    ]
    outcome = app.push(tenant, ADMIN, creates)
    assert outcome.applied == 10
    updates = [
        wire_event(
            "update-individual",
            f"w{i}",
            {"visit": i},
            timestamp=iso(BASE + timedelta(hours=1, minutes=i)),
        )
        for i in range(5)
    ]
    late = wire_event(
        "update-individual", "w0", {"late": True}, timestamp=iso(BASE + timedelta(minutes=30))
    )  # before the update of w0
    bad = {"guid": "not-valid", "type": "create-individual"}
    assert app.push(tenant, ADMIN, [*updates, late, bad]).rejected == 1
    assert app.push(tenant, ADMIN, creates[:3]).duplicates == 3
    delete = wire_event(
        "delete-entity", "w9", {"reason": "moved"}, timestamp=iso(BASE + timedelta(hours=2))
    )
    assert app.push(tenant, ADMIN, [delete]).applied == 1
    page = app.pull(tenant, ADMIN, None, 100)
    app.pull(tenant, ADMIN, page.checkpoint, 100)


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def unbounded_scans(plan: dict[str, Any], index_tables: dict[str, str]) -> list[str]:
    """The plan's reads of a tenant table that are not bounded by a key."""
    bad = []
    for node in plan_nodes(plan):
        table = node.get("Relation Name") or index_tables.get(node.get("Index Name", ""))
        if table not in TENANT_TABLES:
            continue
        kind = node["Node Type"]
        if kind == "Seq Scan":
            bad.append(f"Seq Scan on {table}")
        elif "Index Name" in node and not KEY_COLUMN.search(node.get("Index Cond", "")):
            bad.append(f"{kind} on {node['Index Name']} bounded by the tenant only")
    return bad


def explain(conn: psycopg.Connection[Any], query: str, params: Any) -> dict[str, Any]:
    row = conn.execute("EXPLAIN (FORMAT JSON) " + query, params).fetchone()
    assert row is not None
    return row[0][0]["Plan"]


Setup = Callable[[psycopg.Connection[Any]], None]


def analyse(conn: psycopg.Connection[Any]) -> None:
    """ANALYZE this test's schema only (a bare ANALYZE would touch every schema of the
    database, other tests' and benchmarks' included)."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    ).fetchall()
    conn.execute(
        sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(sql.Identifier(t) for (t,) in tables))
    )


def _fresh_no_statistics(conn: psycopg.Connection[Any]) -> None:
    fill(conn, "t1", 0, LARGE)


def _stale_statistics(conn: psycopg.Connection[Any]) -> None:
    fill(conn, "t1", 0, 200)
    analyse(conn)
    fill(conn, "t1", 200, LARGE)


def _new_tenant_in_analysed_database(conn: psycopg.Connection[Any]) -> None:
    fill(conn, "big", 0, LARGE)
    analyse(conn)


def _fresh_statistics(conn: psycopg.Connection[Any]) -> None:
    fill(conn, "t1", 0, LARGE)
    analyse(conn)


SITUATIONS = {
    "no statistics": _fresh_no_statistics,
    "statistics from when the tenant was small": _stale_statistics,
    "new tenant in an analysed database": _new_tenant_in_analysed_database,
    "fresh statistics": _fresh_statistics,
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_push_and_pull_statements_read_by_key_whatever_the_statistics(situation, monkeypatch):
    with postgres_database() as db:
        conn = psycopg.connect(
            postgres_dsn(), autocommit=True, options=f"-c search_path={db.schema}"
        )
        with conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            ]
            for table in tables:  # no statistics unless the situation gathers them
                conn.execute(
                    sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(
                        sql.Identifier(table)
                    )
                )
            index_tables = dict(
                conn.execute(
                    "SELECT indexname, tablename FROM pg_indexes"
                    " WHERE schemaname = current_schema()"
                ).fetchall()
            )
            SITUATIONS[situation](conn)
            analysed = conn.execute(
                "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
            ).fetchone()
            assert analysed is not None
            assert (analysed[0] == 0) == (situation == "no statistics")

            with recording(monkeypatch) as statements:
                workload(db, "t1")

            texts = {q for q, _ in statements if isinstance(q, str)}
            for needed in (
                events._TOUCHING,
                events._TOUCHES_OF,
                events._GET_MANY,
                events._NUMBER,
                events._CLAIM_FIND,
                entities._FIND_BY_KEYS,
                entities._SAVE,
                entities._GET_MANY,
            ):
                assert needed in texts, f"the workload did not exercise {needed[:60]}..."

            problems = {}
            for query, params in statements:
                if not isinstance(query, str) or not STATEMENT.match(query):
                    continue
                plan = explain(conn, query, params)
                if bad := unbounded_scans(plan, index_tables):
                    problems[query[:120]] = bad
                if query == events._TOUCHING:
                    used = {n.get("Index Name") for n in plan_nodes(plan)}
                    assert {"event_touches_by_entity", "events_pkey"} <= used, used
                if query == entities._FIND_BY_KEYS:
                    used = {n.get("Index Name") for n in plan_nodes(plan)}
                    assert {"entity_match_keys_pkey", "entities_pkey"} <= used, used
            assert not problems, problems


def test_no_statement_is_ever_run_on_a_cached_generic_plan():
    """psycopg prepares a statement on its fifth use; PostgreSQL may then cache a *generic*
    plan, chosen while the tables were small and never re-planned as they grow. The EXPLAINs
    above see custom plans only, so this checks the plans actually executed: after many pushes
    and pulls through one pooled connection, every prepared statement ran on custom plans."""
    with postgres_database(max_size=1) as db:
        for n in range(8):
            workload(db, f"t{n}")
        with db.connection() as conn:
            prepared = conn.execute(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            ).fetchall()
    planned = [(text, plans) for text, plans, _ in prepared if STATEMENT.match(text)]
    assert len(planned) >= 8, "the workload no longer reaches prepared queries"
    generic = [text[:100] for text, plans in planned if plans]  # BEGIN/COMMIT have no plan
    assert not generic, generic
