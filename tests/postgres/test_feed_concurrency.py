"""Many pushers, several readers: every reader sees every event exactly once, in seq order.

This is the property the whole feed design exists for (docs/architecture.md, "The feed"): seq
order is commit order, so a reader paging by cursor can never skip an event that commits
"behind" it, whatever the interleaving of writers.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from domain.timestamps import format_instant
from tests.conftest import ADMIN
from tests.postgres.conftest import Wired, wire
from tests.support.events import BASE

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITERS, READERS, BATCH = 16, 4, 10
SHARED = 20  # entities every writer keeps updating: lock contention and late re-folds


def _batches(tenant_id: str, events: int, clock: itertools.count) -> list[list[dict[str, Any]]]:
    """Batches of new people, plus one update of a shared person per batch. Timestamps follow
    generation order, so batches that commit out of that order force re-folds."""

    def wire(guid: str, type_: str, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        instant = BASE + timedelta(milliseconds=next(clock))
        return {
            "guid": guid,
            "entityGuid": entity,
            "type": type_,
            "data": data,
            "timestamp": format_instant(instant),
            "userId": "u1",
            "syncLevel": 0,
        }

    batches = []
    for b in range(events // BATCH):
        batch = [
            wire(f"{tenant_id}-c{b}-{i}", "create-individual", f"{tenant_id}-p{b}-{i}", {"i": i})
            for i in range(BATCH - 1)
        ]
        shared = f"{tenant_id}-shared-{b % SHARED}"
        batch.append(wire(f"{tenant_id}-u{b}", "update-individual", shared, {"visit": b}))
        batches.append(batch)
    return batches


class _Reader(threading.Thread):
    def __init__(self, app: Wired, tenant_id: str, writers_done: threading.Event) -> None:
        super().__init__(daemon=True)
        self.app, self.tenant_id, self.writers_done = app, tenant_id, writers_done
        self.seqs: list[int] = []
        self.guids: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            cursor = None
            while True:
                done = self.writers_done.is_set()  # read before the page: no commit after it
                page = self.app.pull(self.tenant_id, ADMIN, cursor, 500)
                self.seqs += [e.seq for e in page.events]  # type: ignore[misc]
                self.guids += [e.guid for e in page.events]
                cursor = page.checkpoint
                if page.next_cursor is None:
                    if done:
                        return
                    time.sleep(0.01)  # caught up: leave the CPU to the writers
        except BaseException as error:  # reported by the test thread
            self.error = error


def _run(pg, tenant_ids: list[str], events_per_tenant: int) -> None:
    app = wire(pg, None, *tenant_ids)
    clock = itertools.count()
    work = {t: _batches(t, events_per_tenant, clock) for t in tenant_ids}
    # Interleave tenants so that their pushes run side by side.
    jobs = [
        (t, b)
        for pair in itertools.zip_longest(*work.values())
        for t, b in zip(tenant_ids, pair, strict=True)
    ]
    writers_done = threading.Event()
    readers = [
        _Reader(app, t, writers_done) for t in tenant_ids for _ in range(READERS // len(tenant_ids))
    ]
    outcomes: list[Counter[str]] = []
    errors: list[BaseException] = []

    def write(share: list[tuple[str, list[dict[str, Any]]]]) -> None:
        counts: Counter[str] = Counter()
        try:
            for tenant_id, batch in share:
                counts.update(r.status for r in app.push(tenant_id, ADMIN, batch).results)
        except BaseException as error:
            errors.append(error)
        outcomes.append(counts)

    writers = [threading.Thread(target=write, args=(jobs[w::WRITERS],)) for w in range(WRITERS)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    writers_done.set()
    for reader in readers:
        reader.join(60)
    assert not errors, errors[:3]
    assert sum(outcomes, Counter()) == Counter(applied=events_per_tenant * len(tenant_ids))
    for reader in readers:
        assert reader.error is None, reader.error
        expected = {e["guid"] for batch in work[reader.tenant_id] for e in batch}
        assert reader.seqs == list(range(1, events_per_tenant + 1))  # increasing, no gap
        assert len(reader.guids) == len(expected) and set(reader.guids) == expected
    with pg() as uow:
        for tenant_id in tenant_ids:
            assert uow.events.head(tenant_id) == events_per_tenant
            batches = events_per_tenant // BATCH
            assert uow.entities.count(tenant_id) == batches * (BATCH - 1) + SHARED
            shared = uow.entities.get_many(
                tenant_id, [f"{tenant_id}-shared-{k}" for k in range(SHARED)]
            )
            # Each shared person was updated by exactly batches/SHARED events, counted once.
            assert {e.version for e in shared.values()} == {batches // SHARED}
            for k, entity in shared.items():
                last = max(b for b in range(batches) if f"{tenant_id}-shared-{b % SHARED}" == k)
                assert entity.data["visit"] == last  # the latest timestamp wins


def test_one_tenant_many_pushers_and_readers(pg):
    _run(pg, ["t1"], 20_000)


def test_two_tenants_interleaved(pg):
    _run(pg, ["t1", "t2"], 10_000)
