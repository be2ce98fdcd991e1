"""PostgreSQL event store and feed (docs/architecture.md, "The feed").

A push claims its event guids first (a transaction-scoped advisory lock per guid, then a look
for guids already stored: a concurrent re-push of the same guid waits for the first one and
then finds it), applies them, and writes them last, each row once and already numbered:
numbering takes the tenant's ``feed_heads`` row lock until commit, so seq order is commit
order, and readers that page by ``seq`` never see a gap.
"""

# ruff: noqa: S608 - SQL text is assembled only from module constants and keyed.py's
# fragments (table and column names are fixed identifiers, values are always parameters).

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters_out.postgres.codec import jsonb_texts
from adapters_out.postgres.errors import StorageError
from adapters_out.postgres.keyed import TENANT, each_key, keyed_params
from adapters_out.postgres.session import Session
from domain.events import Event
from ports.repositories import FeedStatus

_SELECT_EVENT = (
    'SELECT guid, entity_guid, type, data, "timestamp", user_id, sync_level, seq, received_at,'
    " pushed_by FROM events"
)


def _event(row: Any) -> Event:
    return Event(
        guid=row[0],
        entity_guid=row[1],
        type=row[2],
        data=row[3],
        timestamp=row[4],
        user_id=row[5],
        sync_level=row[6],
        seq=row[7],
        received_at=row[8],
        pushed_by=row[9],
    )


# Claiming: lock each guid (sorted, so concurrent pushes lock in one order), then look for the
# guids already stored. Two statements, pipelined (one round trip): the lookup's snapshot is then
# taken after the locks are held, so it sees a guid committed by a push it waited for.
_CLAIM_LOCK = (
    "SELECT count(pg_advisory_xact_lock(hashtextextended(%s || chr(30) || g, 0)))"
    " FROM unnest(%b::text[]) AS g"
)
_CLAIM_FIND = (
    "SELECT k.key FROM unnest(%(keys)b::text[]) AS k(key) CROSS JOIN " + TENANT + ""
    " WHERE NOT EXISTS (SELECT 1 FROM events t WHERE t.tenant_id = w.tenant_id"
    " AND t.guid = k.key)"
)
# Writing: the head row is locked here, late, and stays locked until commit; the events are
# inserted with their seqs in the same statement (one round trip, each row written once).
_NUMBER = (
    "WITH head AS ("
    " INSERT INTO feed_heads AS h (tenant_id, last_seq) VALUES (%(tenant)s, %(n)s)"
    " ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq"
    " RETURNING last_seq)"
    ' INSERT INTO events (tenant_id, seq, guid, entity_guid, type, data, "timestamp", user_id,'
    " sync_level, received_at, pushed_by)"
    " SELECT %(tenant)s, head.last_seq - %(n)s + v.ord, v.guid, v.entity_guid, v.type, v.data,"
    " v.at, v.user_id, v.sync_level, v.received_at, v.pushed_by"
    " FROM head, unnest(%(guid)b::text[], %(entity_guid)b::text[], %(type)b::text[],"
    " %(data)b::jsonb[], %(at)b::timestamptz[], %(user_id)b::text[], %(sync_level)b::integer[],"
    " %(received_at)b::timestamptz[], %(pushed_by)b::text[]) WITH ORDINALITY"
    " AS v(guid, entity_guid, type, data, at, user_id, sync_level, received_at, pushed_by, ord)"
    " RETURNING seq"
)
_COLUMNS = (
    'r.guid, r.entity_guid, r.type, r.data, r."timestamp", r.user_id, r.sync_level, r.seq,'
    " r.received_at, r.pushed_by"
)
_GET_MANY = "SELECT " + _COLUMNS + each_key("events", "guid")
# An entity's history: its touches (all of them: OFFSET 0 only fences the subquery), then
# each event by its key.
_TOUCHING = (
    "SELECT " + _COLUMNS + " FROM unnest(%(keys)b::text[]) AS k(key) CROSS JOIN " + TENANT + ""
    " CROSS JOIN LATERAL (SELECT x.event_guid FROM event_touches x"
    " WHERE x.tenant_id = w.tenant_id AND x.entity_guid = k.key OFFSET 0) AS h"
    " CROSS JOIN LATERAL (SELECT t.* FROM events t"
    " WHERE t.tenant_id = w.tenant_id AND t.guid = h.event_guid LIMIT 1) AS r"
)
_TOUCHES_OF = "SELECT k.key, r.entity_guid" + each_key(
    "event_touches", "event_guid", per_key="OFFSET 0"
)
# A page is a range of seqs: numbering leaves no gaps (1..head), so the events after ``after``
# are exactly ``after + 1 ..``; the upper bound keeps the page a bounded range of events_feed
# whatever plan is chosen (without it, a planner that believes the tenant tiny reads all of
# the feed after ``after`` and sorts it).
_MAX_SEQ = 2**63 - 1
# The same range bounded by bytes too: ``data`` is turned into text once, measured, and sent
# as that text; the page is cut where the running size passes ``max_bytes``, but never before
# its first event (so a single huge event still moves the reader on).
_BOUNDED_PAGE = (
    'SELECT guid, entity_guid, type, data, "timestamp", user_id, sync_level, seq,'
    " received_at, pushed_by FROM (SELECT p.*, sum(octet_length(p.data)) OVER (ORDER BY p.seq)"
    " AS running, row_number() OVER (ORDER BY p.seq) AS n FROM (SELECT guid, entity_guid,"
    ' type, data::text AS data, "timestamp", user_id, sync_level, seq, received_at, pushed_by'
    " FROM events WHERE tenant_id = %(tenant)s AND seq > %(after)s AND seq <= %(upto)s"
    " ORDER BY seq LIMIT %(limit)s) AS p) AS s"
    " WHERE s.n = 1 OR s.running <= %(max_bytes)s ORDER BY s.seq"
)
_PAGE = (
    _SELECT_EVENT + " WHERE tenant_id = %(tenant)s AND seq > %(after)s"
    " AND seq <= %(upto)s ORDER BY seq LIMIT %(limit)s"
)
# The two range arms are fenced (OFFSET 0) so that min(seq) is taken over the index range
# [since, ...) rather than by walking the feed in seq order until a row qualifies: the range is
# what the client is about to page through anyway, while the walk costs the whole feed when
# the answer is near the head (the usual case) and the planner misjudges it.
_LEGACY_START = (
    "SELECT coalesce("
    ' (SELECT min(seq) FROM events WHERE tenant_id = %(tenant)s AND "timestamp" = %(since)s),'
    " least("
    "  (SELECT min(seq) FROM (SELECT seq FROM events WHERE tenant_id = %(tenant)s"
    '   AND "timestamp" >= %(since)s OFFSET 0) AS by_time),'
    "  (SELECT min(seq) FROM (SELECT seq FROM events WHERE tenant_id = %(tenant)s"
    "   AND received_at >= %(floor)s OFFSET 0) AS by_receipt)))"
)


class PgEvents:
    def __init__(self, db: Session) -> None:
        self._db = db
        self._claimed: dict[str, set[str]] = {}  # by this unit of work, not yet written

    def claim(self, tenant_id: str, events: Sequence[Event]) -> set[str]:
        mine = self._claimed.setdefault(tenant_id, set())
        wanted = sorted({e.guid for e in events} - mine)
        if not wanted:
            return set()
        self._db.write(_CLAIM_LOCK, (tenant_id, wanted))
        rows = self._db.write(_CLAIM_FIND, {"tenant": tenant_id, "keys": wanted}).fetchall()
        fresh = {r[0] for r in rows}
        mine |= fresh
        return fresh

    def number(self, tenant_id: str, events_in_order: Sequence[Event]) -> list[int]:
        n = len(events_in_order)
        if n == 0:
            return []
        mine = self._claimed.get(tenant_id, set())
        guids = [e.guid for e in events_in_order]
        if len(set(guids)) != n or not mine.issuperset(guids):
            # Raising aborts the unit of work, so nothing of it is kept.
            raise StorageError("only events claimed in this unit of work can be numbered", None)
        rows = self._db.write(
            _NUMBER,
            {
                "tenant": tenant_id,
                "n": n,
                "guid": guids,
                "entity_guid": [e.entity_guid for e in events_in_order],
                "type": [e.type for e in events_in_order],
                "data": jsonb_texts(e.data for e in events_in_order),
                "at": [e.timestamp for e in events_in_order],
                "user_id": [e.user_id for e in events_in_order],
                "sync_level": [e.sync_level for e in events_in_order],
                "received_at": [e.received_at for e in events_in_order],
                "pushed_by": [e.pushed_by for e in events_in_order],
            },
        ).fetchall()
        mine.difference_update(guids)
        return sorted(r[0] for r in rows)

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Event]:
        if not guids:
            return {}
        rows = self._db.read(_GET_MANY, keyed_params(tenant_id, guids)).fetchall()
        return {r[0]: _event(r) for r in rows}

    def record_touches(self, tenant_id: str, touches: Mapping[str, Collection[str]]) -> None:
        pairs = sorted((e, g) for e, entity_guids in touches.items() for g in entity_guids)
        if not pairs:
            return
        self._db.write(
            "INSERT INTO event_touches (tenant_id, event_guid, entity_guid)"
            " SELECT %s, * FROM unnest(%b::text[], %b::text[]) ON CONFLICT DO NOTHING",
            (tenant_id, [p[0] for p in pairs], [p[1] for p in pairs]),
        )

    def touching(self, tenant_id: str, entity_guids: Collection[str]) -> dict[str, Event]:
        if not entity_guids:
            return {}
        rows = self._db.read(_TOUCHING, keyed_params(tenant_id, entity_guids)).fetchall()
        return {r[0]: _event(r) for r in rows}

    def touches_of(self, tenant_id: str, event_guids: Collection[str]) -> dict[str, set[str]]:
        if not event_guids:
            return {}
        rows = self._db.read(_TOUCHES_OF, keyed_params(tenant_id, event_guids)).fetchall()
        found: dict[str, set[str]] = {}
        for event_guid, entity_guid in rows:
            found.setdefault(event_guid, set()).add(entity_guid)
        return found

    def page(
        self, tenant_id: str, after: int, limit: int, max_bytes: int | None = None
    ) -> list[Event]:
        limit = max(0, limit)
        params = {"tenant": tenant_id, "after": after, "limit": limit}
        params["upto"] = min(after + limit, _MAX_SEQ)
        if max_bytes is None:
            return [_event(r) for r in self._db.read(_PAGE, params).fetchall()]
        rows = self._db.read(_BOUNDED_PAGE, {**params, "max_bytes": max_bytes}).fetchall()
        return [_event((*r[:3], json.loads(r[3]), *r[4:])) for r in rows]

    def head(self, tenant_id: str) -> int:
        row = self._db.read(
            "SELECT last_seq FROM feed_heads WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        return 0 if row is None else row[0]

    def legacy_start(self, tenant_id: str, since: datetime, received_floor: datetime) -> int:
        row = self._db.read(
            _LEGACY_START, {"tenant": tenant_id, "since": since, "floor": received_floor}
        ).fetchone()
        first = row[0] if row else None
        return self.head(tenant_id) if first is None else first - 1

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[Event]:
        rows = self._db.read(
            _SELECT_EVENT + " WHERE tenant_id = %s AND entity_guid = %s AND seq IS NOT NULL"
            ' ORDER BY "timestamp", seq LIMIT %s',
            (tenant_id, entity_guid, max(0, limit)),
        ).fetchall()
        return [_event(r) for r in rows]

    def status(self, tenant_id: str) -> FeedStatus:
        row = self._db.read(
            "SELECT (SELECT last_seq FROM feed_heads WHERE tenant_id = %(tenant)s),"
            " (SELECT max(received_at) FROM events"
            "  WHERE tenant_id = %(tenant)s AND seq IS NOT NULL),"
            " (SELECT count(*) FROM quarantine WHERE tenant_id = %(tenant)s)",
            {"tenant": tenant_id},
        ).fetchone()
        head, last_push_at, quarantined = row if row else (None, None, 0)
        return FeedStatus(
            tenant_id=tenant_id,
            head=head or 0,
            # Numbered events are exactly seqs 1..head (numbering never skips and a rolled-back
            # push rolls the head back), so the count needs no scan of the feed.
            events=head or 0,
            last_push_at=last_push_at,
            quarantined=quarantined,
        )
