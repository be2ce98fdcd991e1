"""SQLite event store and feed.

The feed is ``events`` numbered by ``seq`` (UNIQUE (tenant_id, seq)); ``feed_heads`` holds each
tenant's last seq. Units of work hold SQLite's single write lock from ``BEGIN IMMEDIATE`` to
``COMMIT``, so numbering is trivially gap-free and in commit order.
"""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from adapters_out.sqlite.codec import (
    chunks,
    dump,
    from_text,
    from_text_or_none,
    load,
    marks,
    to_text,
    to_text_or_none,
)
from domain.events import Event
from ports.repositories import FeedStatus

_COLUMNS = (
    "guid, entity_guid, type, data, timestamp, user_id, sync_level, seq, received_at, pushed_by"
)


# A page bounded by bytes too: the running size of ``data`` over the (count-bounded) page, cut
# where it passes ``max_bytes`` but never before the first event.
_BOUNDED_PAGE = (
    f"SELECT {_COLUMNS} FROM (SELECT *, sum(length(CAST(data AS BLOB))) OVER (ORDER BY seq)"
    " AS running, row_number() OVER (ORDER BY seq) AS n"
    f" FROM (SELECT {_COLUMNS} FROM events WHERE tenant_id = ? AND seq > ?"
    " ORDER BY seq LIMIT ?)) WHERE n = 1 OR running <= ? ORDER BY seq"
)


def _event(row: sqlite3.Row) -> Event:
    return Event(
        guid=row["guid"],
        entity_guid=row["entity_guid"],
        type=row["type"],
        data=load(row["data"]),
        timestamp=from_text(row["timestamp"]),
        user_id=row["user_id"],
        sync_level=row["sync_level"],
        seq=row["seq"],
        received_at=from_text_or_none(row["received_at"]),
        pushed_by=row["pushed_by"],
    )


class SqliteEvents:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._claimed: dict[str, set[str]] = {}  # by this unit of work, not yet numbered

    def _select(self, where: str, params: Sequence[object]) -> list[Event]:
        sql = f"SELECT {_COLUMNS} FROM events WHERE tenant_id = ? AND {where}"
        return [_event(row) for row in self._conn.execute(sql, (*params,))]

    def claim(self, tenant_id: str, events: Sequence[Event]) -> set[str]:
        """The write lock is held from the start of the unit of work, so "not there yet"
        cannot change before ``number`` stores the events."""
        if not events:
            return set()
        mine = self._claimed.setdefault(tenant_id, set())
        taken = set()
        for part in chunks(e.guid for e in events):
            rows = self._conn.execute(
                f"SELECT guid FROM events WHERE tenant_id = ? AND guid IN ({marks(part)})",
                (tenant_id, *part),
            )
            taken.update(row[0] for row in rows)
        fresh = {e.guid for e in events if e.guid not in taken and e.guid not in mine}
        mine |= fresh
        return fresh

    def number(self, tenant_id: str, events_in_order: Sequence[Event]) -> list[int]:
        """Each event is written once, numbered. Only events claimed in this unit of work can
        be numbered (anything else could leave a hole in the feed): otherwise it fails and
        the unit of work rolls back."""
        mine = self._claimed.get(tenant_id, set())
        guids = [e.guid for e in events_in_order]
        if len(set(guids)) != len(guids) or not mine.issuperset(guids):
            raise RuntimeError(
                f"numbering {len(guids)} events of tenant {tenant_id!r}: only events claimed"
                " in this unit of work can be numbered, each once"
            )
        head = self.head(tenant_id)
        seqs = list(range(head + 1, head + 1 + len(guids)))
        self._conn.executemany(
            f"INSERT INTO events (tenant_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    tenant_id,
                    e.guid,
                    e.entity_guid,
                    e.type,
                    dump(e.data),
                    to_text(e.timestamp),
                    e.user_id,
                    e.sync_level,
                    seq,
                    to_text_or_none(e.received_at),
                    e.pushed_by,
                )
                for seq, e in zip(seqs, events_in_order, strict=True)
            ],
        )
        mine.difference_update(guids)
        if seqs:
            self._conn.execute(
                "INSERT INTO feed_heads (tenant_id, last_seq) VALUES (?, ?)"
                " ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq",
                (tenant_id, seqs[-1]),
            )
        return seqs

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Event]:
        found = {}
        for part in chunks(guids):
            for event in self._select(f"guid IN ({marks(part)})", [tenant_id, *part]):
                found[event.guid] = event
        return found

    def record_touches(self, tenant_id: str, touches: Mapping[str, Collection[str]]) -> None:
        self._conn.executemany(
            "INSERT INTO event_touches (tenant_id, event_guid, entity_guid) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(tenant_id, event, entity) for event, ents in touches.items() for entity in ents],
        )

    def touching(self, tenant_id: str, entity_guids: Collection[str]) -> dict[str, Event]:
        found = {}
        for part in chunks(entity_guids):
            where = (
                "guid IN (SELECT event_guid FROM event_touches"
                f" WHERE tenant_id = ? AND entity_guid IN ({marks(part)}))"
            )
            for event in self._select(where, [tenant_id, tenant_id, *part]):
                found[event.guid] = event
        return found

    def touches_of(self, tenant_id: str, event_guids: Collection[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for part in chunks(event_guids):
            rows = self._conn.execute(
                "SELECT event_guid, entity_guid FROM event_touches"
                f" WHERE tenant_id = ? AND event_guid IN ({marks(part)})",
                (tenant_id, *part),
            )
            for event_guid, entity_guid in rows:
                found.setdefault(event_guid, set()).add(entity_guid)
        return found

    def page(
        self, tenant_id: str, after: int, limit: int, max_bytes: int | None = None
    ) -> list[Event]:
        if max_bytes is None:
            return self._select("seq > ? ORDER BY seq LIMIT ?", [tenant_id, after, max(limit, 0)])
        rows = self._conn.execute(_BOUNDED_PAGE, (tenant_id, after, max(limit, 0), max_bytes))
        return [_event(row) for row in rows]

    def head(self, tenant_id: str) -> int:
        sql = "SELECT last_seq FROM feed_heads WHERE tenant_id = ?"
        row = self._conn.execute(sql, (tenant_id,)).fetchone()
        return int(row[0]) if row else 0

    def legacy_start(self, tenant_id: str, since: datetime, received_floor: datetime) -> int:
        """Each MIN walks only the matching range of a (tenant_id, column, seq) index."""
        exact = self._conn.execute(
            "SELECT MIN(seq) FROM events WHERE tenant_id = ? AND timestamp = ?",
            (tenant_id, to_text(since)),
        ).fetchone()[0]
        if exact is not None:
            return int(exact) - 1
        later = self._conn.execute(
            "SELECT MIN(first) FROM ("
            " SELECT MIN(seq) AS first FROM events WHERE tenant_id = ? AND timestamp >= ?"
            " UNION ALL"
            " SELECT MIN(seq) FROM events WHERE tenant_id = ? AND received_at >= ?)",
            (tenant_id, to_text(since), tenant_id, to_text(received_floor)),
        ).fetchone()[0]
        return int(later) - 1 if later is not None else self.head(tenant_id)

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[Event]:
        return self._select(
            "entity_guid = ? AND seq IS NOT NULL ORDER BY timestamp, seq LIMIT ?",
            [tenant_id, entity_guid, max(limit, 0)],
        )

    def status(self, tenant_id: str) -> FeedStatus:
        count = self._conn.execute(
            "SELECT COUNT(*) FROM events WHERE tenant_id = ? AND seq IS NOT NULL", (tenant_id,)
        ).fetchone()[0]
        last = self._conn.execute(  # walks the received_at index backwards, stops at once
            "SELECT received_at FROM events WHERE tenant_id = ? AND received_at IS NOT NULL"
            " AND seq IS NOT NULL ORDER BY received_at DESC LIMIT 1",
            (tenant_id,),
        ).fetchone()
        quarantined = self._conn.execute(
            "SELECT COUNT(*) FROM quarantine WHERE tenant_id = ?", (tenant_id,)
        ).fetchone()[0]
        return FeedStatus(
            tenant_id=tenant_id,
            head=self.head(tenant_id),
            events=int(count),
            last_push_at=from_text(last[0]) if last else None,
            quarantined=int(quarantined),
        )
