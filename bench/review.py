"""Review-work benchmark (issue 6): duplicate detection cost by tenant size, and the app list.

    .venv/bin/python bench/review.py            # full: PG 10k/100k/1M, SQLite 10k/100k, ~9 min
    .venv/bin/python bench/review.py --quick    # 10k entities, no 100k-entity tenant, ~1 min
    .venv/bin/python bench/review.py --backend postgres --sizes 10k,100k --skip-apps

1. Duplicate detection. One tenant is filled with N individuals (deterministic pseudo-random
   names built from syllables, birth dates spread like a young population's, ~1% near-duplicates
   of earlier people: typos, swapped name order, a dropped middle name, accents). Then ``--new``
   NEW individuals (same distribution: ~1% resemble someone already there) are pushed through
   ``PushEvents`` in device chunks of 10, and as many again in batches of 1,000. Per created
   individual: the whole push, and ``DuplicateDetector.find`` alone - ``PushEvents`` gets a
   timing subclass of the real detector (rapidfuzz similarity, as bootstrap wires it); inside
   ``find``, ``query`` is ``entities.find_by_keys`` and ``pairs`` the read of known pairs (new
   pairs are written with the rest of the push's changes). ``cand/ind``: stored candidate
   entities loaded per individual (batch-mates are compared in memory, not loaded);
   ``bucket``: the largest number of loaded candidates sharing one key.
   Target: detect < 2 ms per individual, flat 10k -> 1M.
   Filling: pushes of 1,000 through ``PushEvents`` while that is projected to take less than
   ``--push-fill-limit`` seconds; beyond (1M), a bulk load through the ports: entities with
   their match keys (``save_many``) and their create events (claimed, numbered, with touches).
   The output says which. On PostgreSQL with autovacuum off, VACUUM ANALYZE runs after each fill
   (what autovacuum would have done).
2. ``GET /api/apps`` with ``--tenants`` tenants (a few with thousands of entities): the
   ``ListTenants`` use case, and the real Falcon app in-process (``falcon.testing``, JWT auth),
   p50/p95 over ``--samples`` requests: page 1 by name, by entitiesCount desc, a search, the
   last page. Then once more after the tenant first by name got ``--big`` entities.
   Target: < 50 ms.

PostgreSQL runs on a dedicated schema, dropped afterwards (DSN: ``--dsn``, ``POSTGRES``,
``POSTGRES_TEST`` or the local server); SQLite on a temporary file. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters_out.similarity import rapidfuzz_similarity
from adapters_out.system import RandomIds, SystemClock
from application.duplicate_detection import DuplicateDetector, IndexedEntities
from application.push import PushEvents
from application.tenant_reads import AppListRequest, ListTenants
from domain.duplicates import DuplicateRules, match_keys
from domain.entities import INDIVIDUAL, Entity, FieldWrite
from domain.event_types import EventTypes
from domain.events import Event
from domain.tenants import Tenant
from domain.timestamps import format_instant
from domain.users import Principal

ADMIN = Principal(user_id="1", email="a@b", role="ADMIN", tenants=("*",))
LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BASE = datetime(2025, 1, 1, tzinfo=UTC)
TODAY = date(2025, 1, 1)
TENANT = "review"
DETECT_TARGET_MS, LIST_TARGET_MS = 2.0, 50.0

# -- people ----------------------------------------------------------------------------------
# Syllables drawn with Zipf-like weights: a few are common (as real names are), most are rare.
SYLLABLES = [c + v for c in "bdfghjklmnprstwyz" for v in "aeiou"] + [*"aeiou", "an", "el", "ir"]
random.Random(1).shuffle(SYLLABLES)
WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(SYLLABLES))]
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choices(SYLLABLES, WEIGHTS, k=rng.randint(low, high))).capitalize()


def original(i: int, seed: int) -> tuple[list[str], str]:
    """Person ``i`` as first registered: name tokens and birth date (a pure function of i)."""
    rng = random.Random(seed * 10_000_019 + i)
    tokens = [_word(rng, 2, 3)]
    if rng.random() < 0.3:
        tokens.append(_word(rng, 2, 3))
    tokens.append(_word(rng, 2, 4))
    age = rng.triangular(0, 85, 8)  # a young population: most people are children
    born = TODAY - timedelta(days=int(age * 365.25))
    return tokens, born.isoformat()


def near_duplicate(tokens: list[str], rng: random.Random) -> list[str]:
    """How the same person gets registered twice: typo, order, missing middle name, accents."""
    tokens = list(tokens)
    kind = rng.randrange(5)
    t = rng.randrange(len(tokens))
    word = tokens[t]
    if kind == 0 and len(word) > 3:  # one letter replaced
        k = rng.randrange(1, len(word))
        tokens[t] = word[:k] + rng.choice("aeioulmnrst") + word[k + 1 :]
    elif kind == 1 and len(word) > 3:  # one letter dropped
        k = rng.randrange(1, len(word))
        tokens[t] = word[:k] + word[k + 1 :]
    elif kind == 2:  # family name first
        tokens = tokens[-1:] + tokens[:-1]
    elif kind == 3 and len(tokens) == 3:  # middle name left out
        del tokens[1]
    else:  # accents and case
        tokens[t] = "".join(ACCENTS.get(c, c) for c in word).upper()
    return tokens


class Population:
    """Individual ``i`` of a tenant; 1 in 100 resembles one of the ``among`` already there
    (default: the ``i`` before it)."""

    def __init__(self, seed: int = 11) -> None:
        self.seed = seed
        self.among: int | None = None

    def person(self, i: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 7_000_003 + i)
        among = i if self.among is None else self.among
        if among > 100 and rng.random() < 0.01:
            tokens, born = original(rng.randrange(among), self.seed)
            tokens = near_duplicate(tokens, rng)
        else:
            tokens, born = original(i, self.seed)
        return {
            "name": " ".join(tokens),
            "dateOfBirth": born,
            "sex": rng.choice("FM"),
            "entityName": "individual",
            "village": f"village-{rng.randrange(400)}",
        }

    @staticmethod
    def guid(i: int) -> str:
        return str(uuid.UUID(int=random.Random(i).getrandbits(128), version=4))

    def event(self, i: int) -> dict[str, Any]:
        return {
            "guid": f"ev-{self.guid(i)}",
            "entityGuid": self.guid(i),
            "type": "create-individual",
            "data": self.person(i),
            "timestamp": format_instant(BASE + timedelta(seconds=i)),
            "userId": f"device-{i % 40}",
            "syncLevel": 0,
        }

    def entity(self, i: int) -> Entity:
        return self.entity_of(self.stored_event(i))

    @staticmethod
    def entity_of(event: Event) -> Entity:
        """What pushing ``event`` leaves in storage (see ``domain.appliers.upsert``)."""
        writer = FieldWrite(
            event_guid=event.guid,
            user_id=event.user_id,
            timestamp=event.timestamp,
            received_at=event.received_at,
        )
        return Entity(
            guid=event.entity_guid,
            type=INDIVIDUAL,
            name=event.data["name"],
            data=dict(event.data),
            version=1,
            last_updated=event.timestamp,
            last_event_key=event.order_key,
            provenance=dict.fromkeys(event.data, writer),
        )

    def stored_event(self, i: int) -> Event:
        """``event(i)`` as the server stores it."""
        at = BASE + timedelta(seconds=i)
        return Event(
            guid=f"ev-{self.guid(i)}",
            entity_guid=self.guid(i),
            type="create-individual",
            data=self.person(i),
            timestamp=at,
            user_id=f"device-{i % 40}",
            received_at=at + timedelta(seconds=1),
            pushed_by="1",
        )


# -- timing ----------------------------------------------------------------------------------
class TimedCalls:
    """Forwards to ``target``; adds the seconds spent in the named methods to ``seconds``."""

    def __init__(self, target: Any, names: Sequence[str], seconds: dict[str, float]) -> None:
        self._target, self._names, self._seconds = target, set(names), seconds
        self.results: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name not in self._names:
            return value

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = value(*args, **kwargs)
            finally:
                self._seconds[name] = self._seconds.get(name, 0.0) + time.perf_counter() - started
            self.results.append(result)
            return result

        return timed


class ProbedUow:
    """The unit of work ``detect`` sees: its candidate query and pair reads/writes are timed."""

    def __init__(self, uow: Any, seconds: dict[str, float]) -> None:
        self._uow = uow
        self.entities = TimedCalls(uow.entities, ["find_by_keys"], seconds)
        self.duplicates = TimedCalls(uow.duplicates, ["get_many", "add_many"], seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


class TimedDetector(DuplicateDetector):
    """The real detector (rapidfuzz, as bootstrap wires it), timed; ``PushEvents`` gets this."""

    def __init__(self) -> None:
        super().__init__(rapidfuzz_similarity)
        self.reset()

    def reset(self) -> None:
        self.entities = self.flagged = self.candidates = self.bucket = 0
        self.detect_s = self.keys_s = 0.0
        self.per_call: list[float] = []
        self.parts: dict[str, float] = {}

    def index(self, entities: Sequence[Entity], rules: DuplicateRules) -> IndexedEntities:
        started = time.perf_counter()
        try:
            return super().index(entities, rules)
        finally:
            self.keys_s += time.perf_counter() - started

    def find(
        self,
        uow: Any,
        tenant_id: str,
        rules: DuplicateRules,
        changed: IndexedEntities,
        now: datetime,
        written: Any = (),
    ) -> list:
        probed = ProbedUow(uow, self.parts)
        started = time.perf_counter()
        pairs = super().find(probed, tenant_id, rules, changed, now, written)
        flagged = len(pairs)
        elapsed = time.perf_counter() - started
        self.detect_s += elapsed
        self.per_call.append(elapsed)
        self.entities += len(changed.profiles)
        self.flagged += flagged
        wanted = {k for g in changed.profiles for k in changed.keys[g]}
        for found in probed.entities.results:  # not timed: how big the key buckets were
            self.candidates += len(found)
            sizes: dict[str, int] = {}
            for candidate in found:
                for key in match_keys(candidate, rules) & wanted:
                    sizes[key] = sizes.get(key, 0) + 1
            self.bucket = max(self.bucket, *sizes.values(), 0)
        return pairs


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def p50_p95(call: Callable[[], object], samples: int) -> tuple[float, float]:
    call()  # warm: first use of a connection, statement preparation
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def say(text: str) -> None:
    print(text, flush=True)


# -- backends --------------------------------------------------------------------------------
@contextmanager
def postgres(dsn: str) -> Iterator[tuple[Any, Callable[[], None]]]:
    import psycopg
    from psycopg import sql

    from adapters_out.postgres import PostgresDatabase

    schema = f"bench_review_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        autovacuum = admin.execute("SHOW autovacuum").fetchone()[0]  # type: ignore[index]
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))

    def settle() -> None:
        """What autovacuum would do by itself: planner statistics, visibility map."""
        if autovacuum == "on":
            return
        with psycopg.connect(dsn, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            ).fetchall()
            tables = sql.SQL(", ").join(sql.Identifier(schema, r[0]) for r in rows)
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(tables))

    db = PostgresDatabase(dsn, schema=schema, max_size=4, name="bench-review")
    try:
        db.open()
        db.migrate()
        yield db, settle
    finally:
        db.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def sqlite(_: str) -> Iterator[tuple[Any, Callable[[], None]]]:
    from adapters_out.sqlite import SqliteDatabase

    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        db = SqliteDatabase(Path(tmp) / "review.db")
        try:
            db.migrate()
            yield db, lambda: None
        finally:
            db.close()


OPENERS = {"postgres": postgres, "sqlite": sqlite}


# -- 1. duplicate detection ------------------------------------------------------------------
def measure_pushes(
    push: PushEvents, detector: TimedDetector, people: Population, first: int, count: int, size: int
) -> dict[str, Any]:
    """Push individuals ``first..first+count`` in batches of ``size``; ms per individual."""
    batches = [
        [people.event(i) for i in range(start, min(start + size, first + count))]
        for start in range(first, first + count, size)
    ]
    detector.reset()
    push_s: list[float] = []
    for batch in batches:
        started = time.perf_counter()
        outcome = push(TENANT, ADMIN, batch)
        push_s.append(time.perf_counter() - started)
        if outcome.applied != len(batch):
            raise RuntimeError(f"push not applied: {outcome.results[:3]}")
    n, parts = count, detector.parts
    return {
        "push": 1000 * sum(push_s) / n,
        "detect": 1000 * detector.detect_s / n,
        "query": 1000 * parts.get("find_by_keys", 0.0) / n,
        "pairs": 1000 * (parts.get("get_many", 0.0) + parts.get("add_many", 0.0)) / n,
        "keys": 1000 * detector.keys_s / n,
        "detect_p95": 1000 * percentile(detector.per_call, 0.95),
        "candidates": detector.candidates / n,
        "bucket": detector.bucket,
        "flagged": detector.flagged,
    }


def fill(how: str, db: Any, push: PushEvents, have: int, want: int) -> None:
    """Individuals ``have..want``: pushed (``how == "push"``), or bulk-loaded through the
    ports - entities with their match keys, plus their create events, numbered in the feed and
    with their touches (a tenant without them would not be the one pushes build)."""
    people = Population()
    if how == "push":
        for start in range(have, want, 1000):
            batch = [people.event(i) for i in range(start, min(start + 1000, want))]
            if push(TENANT, ADMIN, batch).rejected:
                raise RuntimeError("the fill was rejected")
        return
    rules, detector = DuplicateRules(), DuplicateDetector(rapidfuzz_similarity)
    for start in range(have, want, 10_000):  # one unit of work per 10,000
        with db() as uow:
            for part in range(start, min(start + 10_000, want), 2_000):
                ids = range(part, min(part + 2_000, want))
                events = [people.stored_event(i) for i in ids]
                entities = [people.entity_of(e) for e in events]
                uow.events.claim(TENANT, events)
                uow.entities.save_many(TENANT, entities, detector.keys_for(entities, rules))
                uow.events.record_touches(TENANT, {e.guid: [e.entity_guid] for e in events})
                uow.events.number(TENANT, events)
            uow.commit()


def duplicates(name: str, sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    people = Population()
    with OPENERS[name](args.dsn) as (db, settle):
        with db() as uow:
            uow.tenants.add(Tenant(id=TENANT, name="Review bench", artifact_id="r" * 32))
            uow.commit()
        detector = TimedDetector()
        push = PushEvents(db, SystemClock(), RandomIds(), EventTypes(), detector)
        # The fill grows one tenant from size to size; measured people have ids far beyond it.
        have, fresh, push_rate = 0, 100_000_000, 0.0
        for size in sizes:
            # Measured: the push rate halves from 100k to 1M (indexes outgrow the cache).
            projected = 2 * (size - have) / push_rate if push_rate else 0.0
            auto_push = args.fill == "auto" and projected <= args.push_fill_limit
            how = "push" if args.fill == "push" or auto_push else "direct"
            started = time.perf_counter()
            fill(how, db, push, have, size)
            fill_s = time.perf_counter() - started
            if how == "push":
                push_rate = (size - have) / fill_s
                note = f"pushes of 1,000 through PushEvents, {push_rate:,.0f} individuals/s"
            else:
                note = "bulk-loaded through the ports (entities.save_many + match keys, events"
                note += " claimed, numbered, touches recorded; no audit), "
                note += (
                    f"a push fill was projected at {projected / 60:.0f} min" if projected else ""
                )
                note += "--fill direct" if args.fill == "direct" else ""
            have, started = size, time.perf_counter()
            settle()
            say(
                f"# {name}: filled to {size:,} individuals in {fill_s:.0f} s ({note});"
                f" settle {time.perf_counter() - started:.0f} s"
            )
            counted = p50_p95(lambda: count_live(db), 10)[0]
            say(f"# {name}: counting its live entities (one /api/apps row): {counted:.1f} ms")
            people.among = size  # the new people's near-duplicates are of the fill's people
            measure_pushes(push, detector, people, fresh, 20, 10)  # warm-up, not counted
            fresh += 20
            for batch in (10, 1000):
                result = measure_pushes(push, detector, people, fresh, args.new, batch)
                fresh += args.new
                rows.append({"backend": name, "size": size, "batch": batch, "fill": how, **result})
                say(detection_row(rows[-1]))
    return rows


def count_live(db: Any) -> int:
    with db(read_only=True) as uow:
        return uow.entities.count(TENANT)


DETECTION_HEADER = (
    f"{'backend':9} {'entities':>9} {'batch':>5} {'push ms/ind':>11} {'detect ms/ind':>13}"
    f" {'query':>6} {'pairs':>6} {'keys':>5} {'cand/ind':>8} {'bucket':>6} {'detect p95/push':>15}"
    f" {'flagged':>7}  target"
)


def detection_row(r: dict[str, Any]) -> str:
    ok = "ok" if r["detect"] < DETECT_TARGET_MS else "MISSED"
    return (
        f"{r['backend']:9} {r['size']:>9,} {r['batch']:>5} {r['push']:>11.2f} {r['detect']:>13.3f}"
        f" {r['query']:>6.3f} {r['pairs']:>6.3f} {r['keys']:>5.3f} {r['candidates']:>8.1f}"
        f" {r['bucket']:>6} {r['detect_p95']:>12.1f} ms {r['flagged']:>7}  {ok}"
    )


# -- 2. the app list -------------------------------------------------------------------------
def sample_config() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "tests/http/tenants/sample-config.json"
    config = json.loads(path.read_text()) if path.exists() else {"entityForms": []}
    for secretive in ("authConfigs", "externalSync"):  # no secrets to mask in this benchmark
        config.pop(secretive, None)
    return config


REGIONS = ("north", "south", "east", "west", "central", "coastal", "upper", "lower", "lakeside")
PROGRAMMES = ("census", "nutrition", "vaccination", "cash-transfer", "school-feeding", "water")
BIG_TENANTS = {7: 20_000, 123: 10_000, 500: 5_000, 777: 3_000, 999: 2_000}


def fill_tenants(db: Any, count: int) -> int:
    rng, template, people = random.Random(5), sample_config(), Population(seed=23)
    rules, detector = DuplicateRules(), DuplicateDetector(rapidfuzz_similarity)
    entities_total, next_person = 0, 0
    with db() as uow:
        for n in range(count):
            tenant_id = f"app-{n:04d}"
            name = f"{rng.choice(REGIONS).title()} {rng.choice(PROGRAMMES)} {n}"
            version = f"{rng.randrange(1, 4)}.{rng.randrange(10)}.0"
            config = {**template, "id": tenant_id, "name": name, "version": version}
            at = BASE + timedelta(minutes=n)
            uow.tenants.add(
                Tenant(
                    id=tenant_id,
                    name=name,
                    artifact_id=uuid.UUID(int=rng.getrandbits(128)).hex,
                    config=config,
                    created_at=at,
                    updated_at=at,
                )
            )
            many = BIG_TENANTS.get(n, rng.randrange(0, 40))
            for part in range(0, many, 2_000):
                ids = range(next_person + part, next_person + min(part + 2_000, many))
                entities = [people.entity(i) for i in ids]
                uow.entities.save_many(tenant_id, entities, detector.keys_for(entities, rules))
            next_person += many
            entities_total += many
        uow.commit()
    return entities_total


def load_entities(db: Any, tenant_id: str, first: int, count: int) -> None:
    people, rules = Population(seed=29), DuplicateRules()
    detector = DuplicateDetector(rapidfuzz_similarity)
    for start in range(first, first + count, 10_000):
        with db() as uow:
            for part in range(start, min(start + 10_000, first + count), 2_000):
                ids = range(part, min(part + 2_000, first + count))
                entities = [people.entity(i) for i in ids]
                uow.entities.save_many(tenant_id, entities, detector.keys_for(entities, rules))
            uow.commit()


def app_list(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    from tests.http.tenants.wiring import make_env  # the real create_app, wired by hand

    rows: list[dict[str, Any]] = []
    with OPENERS[name](args.dsn) as (db, settle):
        started = time.perf_counter()
        entities = fill_tenants(db, args.tenants)
        settle()
        say(
            f"# {name}: {args.tenants:,} tenants, {entities:,} entities, "
            f"filled in {time.perf_counter() - started:.0f} s"
        )
        list_apps = ListTenants(db)
        # The access log line per request would flood this output: warnings and up only.
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        env, auth = make_env(db=db)
        cases = {
            "page 1 by name": {"sortBy": "name"},
            "page 1 by entitiesCount desc": {"sortBy": "entitiesCount", "sortOrder": "desc"},
            "search 'north' by name": {"sortBy": "name", "search": "north"},
            "last page by name": {"sortBy": "name", "page": str(-(-args.tenants // 12))},
        }

        def run_cases(prefix: str) -> None:
            for label, params in cases.items():
                request = AppListRequest(
                    page=int(params.get("page", 1)),
                    sort_by=params["sortBy"],
                    sort_order=params.get("sortOrder", "asc"),
                    search=params.get("search", ""),
                )
                page = list_apps(ADMIN, request)
                use_case = p50_p95(lambda r=request: list_apps(ADMIN, r), args.samples)

                def http(p: dict[str, str] = params) -> None:
                    reply = env.client.simulate_get("/api/apps", params=p, headers=auth)
                    if reply.status_code != 200:
                        raise RuntimeError(f"GET /api/apps: {reply.status_code} {reply.text[:99]}")

                over_http = p50_p95(http, args.samples)
                row = {"backend": name, "case": prefix + label, "use_case": use_case}
                rows.append({**row, "http": over_http, "total": page.total})
                say(list_row(rows[-1]))

        run_cases("")
        if args.big:
            # The tenant first by name gets ``--big`` entities: page 1 by name now counts them.
            first = list_apps(ADMIN, AppListRequest()).items[0].tenant.id
            started = time.perf_counter()
            load_entities(db, first, 0, args.big)
            settle()
            say(
                f"# {name}: {first} (first by name) now also has {args.big:,} entities,"
                f" loaded in {time.perf_counter() - started:.0f} s"
            )
            run_cases(f"+{short(args.big)}: ")
    return rows


LIST_HEADER = (
    f"{'backend':9} {'GET /api/apps (1,000 tenants)':36} {'use case p50/p95 ms':>20}"
    f" {'HTTP p50/p95 ms':>16} {'total':>6}  target"
)


def list_row(r: dict[str, Any]) -> str:
    ok = "ok" if r["http"][1] < LIST_TARGET_MS else "MISSED"
    return (
        f"{r['backend']:9} {r['case']:36} {r['use_case'][0]:>9.1f} /{r['use_case'][1]:>8.1f}"
        f" {r['http'][0]:>7.1f} /{r['http'][1]:>6.1f} {r['total']:>6}  {ok}"
    )


# -- main ------------------------------------------------------------------------------------
def short(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and not n % 1_000_000 else f"{n // 1000}k"


def sizes_arg(text: str) -> list[int]:
    """``10000,100000`` or ``10k,100k,1M``."""
    scale = {"k": 1_000, "m": 1_000_000}
    sizes = set()
    for part in text.replace("_", "").lower().split(","):
        part = part.strip()
        if part:
            factor = scale.get(part[-1], 1)
            sizes.add(int(float(part.rstrip("km")) * factor))
    return sorted(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k entities only, fewer samples")
    parser.add_argument("--backend", choices=["all", "postgres", "sqlite"], default="all")
    parser.add_argument("--sizes", type=sizes_arg, help="PostgreSQL tenant sizes (10k,100k,1M)")
    parser.add_argument(
        "--sqlite-sizes", type=sizes_arg, help="SQLite tenant sizes (default 10k,100k)"
    )
    parser.add_argument("--new", type=int, default=2000, help="new individuals per batch size")
    parser.add_argument("--fill", choices=["auto", "push", "direct"], default="auto")
    parser.add_argument(
        "--push-fill-limit",
        type=float,
        default=600.0,
        help="auto: push-fill while the projection stays under this (s)",
    )
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument(
        "--big", type=int, default=100_000, help="then give one tenant this many entities (0: no)"
    )
    parser.add_argument("--skip-duplicates", action="store_true")
    parser.add_argument("--skip-apps", action="store_true")
    parser.add_argument(
        "--dsn", default=os.environ.get("POSTGRES") or os.environ.get("POSTGRES_TEST") or LOCAL_DSN
    )
    args = parser.parse_args()
    # A stopped run still drops its schema: SIGTERM unwinds like Ctrl-C (``finally`` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = {
        "postgres": args.sizes or ([10_000] if args.quick else [10_000, 100_000, 1_000_000]),
        "sqlite": args.sqlite_sizes or ([10_000] if args.quick else [10_000, 100_000]),
    }
    if args.quick:
        args.new, args.samples, args.big = min(args.new, 1000), min(args.samples, 30), 0
    backends = [b for b in OPENERS if args.backend in ("all", b)]
    say(f"# {' '.join(sys.argv)}  ({platform.node()}, {os.cpu_count()} cpus, {time.ctime()})")
    began = time.perf_counter()
    detection: list[dict[str, Any]] = []
    listing: list[dict[str, Any]] = []
    if not args.skip_duplicates:
        say(
            f"# duplicate detection, {args.new:,} new individuals per batch size; ms per individual"
        )
        say(DETECTION_HEADER)
        for name in backends:
            detection += duplicates(name, sizes[name], args)
    if not args.skip_apps:
        say(f"# GET /api/apps, {args.samples} requests per case after one warm-up")
        say(LIST_HEADER)
        for name in backends:
            listing += app_list(name, args)
    say(f"\n# summary ({time.perf_counter() - began:.0f} s in all)")
    if detection:
        say(DETECTION_HEADER)
        for row in detection:
            say(detection_row(row))
    if listing:
        say(LIST_HEADER)
        for row in listing:
            say(list_row(row))


if __name__ == "__main__":
    main()
