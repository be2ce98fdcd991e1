"""The backup-and-restore drill (docs/operations.md): ``pg_dump`` while devices push, restore
into a new database, ``datacollect after-restore``, and the devices carry on with the cursors
they hold. What a cursor means after a restore is in domain/cursor.py: one handed out before
the restore resumes at most from the restored feed head, so no device ever skips an event.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from adapters_out.postgres import PostgresDatabase
from application.duplicate_detection import DuplicateDetector
from application.pull import PullEvents
from application.push import PushEvents
from bootstrap.cli import main
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.tenants import Tenant
from domain.users import Principal
from tests.support.clock import CountingIds, SteppingClock
from tests.support.cursors import CURSORS
from tests.support.events import wire_event
from tests.support.postgres_backend import fresh_schema, postgres_dsn

pytestmark = pytest.mark.slow
ADMIN = Principal(user_id="1", email="admin@example.org", role="ADMIN", tenants=("*",))
DEVICES, AFTER_DUMP_ROUNDS = 4, 3


class Device:
    def __init__(self, name: str) -> None:
        self.name = name
        self.pushed: list[dict] = []
        self.pulled: set[str] = set()
        self.cursor: str | None = None
        self.rounds = 0

    def sync(self, push: PushEvents, pull: PullEvents, count: int = 5) -> None:
        events = [
            wire_event("create-individual", f"{self.name}-{len(self.pushed) + i}", {"n": i})
            for i in range(count)
        ]
        outcome = push("t1", ADMIN, events)
        assert {r.status for r in outcome.results} == {"applied"}
        self.pushed += events
        self.pull_to_end(pull)
        self.rounds += 1

    def pull_to_end(self, pull: PullEvents) -> None:
        while True:
            page = pull("t1", ADMIN, self.cursor, 7)
            self.pulled.update(e.guid for e in page.events)
            self.cursor = page.next_cursor or page.checkpoint
            if page.next_cursor is None:
                return


def _feed(db: PostgresDatabase) -> list[tuple[int, str]]:
    with db(read_only=True) as uow:
        return [(e.seq or 0, e.guid) for e in uow.events.page("t1", 0, 100_000)]


def _use_cases(db: PostgresDatabase) -> tuple[PushEvents, PullEvents]:
    push = PushEvents(
        db, SteppingClock(), CountingIds(), EventTypes(), DuplicateDetector(stdlib_similarity)
    )
    return push, PullEvents(db, CURSORS)


def test_pg_dump_while_devices_push_then_restore_and_carry_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = postgres_dsn()
    restored_name = f"drill_{uuid.uuid4().hex[:12]}"
    dump = tmp_path / "backup.dump"
    with fresh_schema(dsn) as schema:
        source = PostgresDatabase(dsn, schema=schema, max_size=DEVICES + 2)
        source.open(wait=True)
        source.migrate()
        with source() as uow:
            uow.tenants.add(Tenant(id="t1", name="Drill", artifact_id="0" * 32))
            uow.commit()
        push, pull = _use_cases(source)
        devices = [Device(f"dev{n}") for n in range(DEVICES)]
        dumped = threading.Event()
        errors: list[BaseException] = []

        def work(device: Device) -> None:
            try:
                while not dumped.is_set():  # syncing while pg_dump runs
                    device.sync(push, pull)
                    time.sleep(0.05)
                for _ in range(AFTER_DUMP_ROUNDS):  # and after: what the backup will lack
                    device.sync(push, pull)
            except BaseException as error:
                errors.append(error)

        # Every device has synced a little before the backup starts.
        for device in devices:
            device.sync(push, pull)
        threads = [threading.Thread(target=work, args=(d,)) for d in devices]
        for thread in threads:
            thread.start()
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", dsn],
            check=True,
            capture_output=True,
        )
        dumped.set()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors[0]
        source_feed = _feed(source)
        source.close()

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restored_name)))
    restored_dsn = dsn.rsplit("/", 1)[0] + f"/{restored_name}"
    try:
        subprocess.run(
            ["pg_restore", "--exit-on-error", f"--dbname={restored_dsn}", str(dump)],
            check=True,
            capture_output=True,
        )
        # The operator's step: once, before the servers start.
        url = f"{restored_dsn}?options={quote(f'-csearch_path={schema}')}"
        for name, value in {
            "POSTGRES": url, "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING",
            "DATACOLLECT_ENV": "development", "AUTO_MIGRATE": "true",
        }.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        assert main(["after-restore"]) == 0
        out = capsys.readouterr().out
        assert "t1: feed head" in out and "restore epoch 1" in out

        restored = PostgresDatabase(restored_dsn, schema=schema, max_size=4)
        restored.open(wait=True)
        try:
            _carry_on(restored, devices, source_feed)
        finally:
            restored.close()
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(restored_name)
                )
            )


def _carry_on(restored: PostgresDatabase, devices: list[Device], source_feed) -> None:
    snapshot = _feed(restored)
    head = len(snapshot)
    # A consistent snapshot: exactly a prefix of the feed at the time, positions 1..head.
    assert snapshot == source_feed[:head]
    assert [seq for seq, _ in snapshot] == list(range(1, head + 1))
    assert 0 < head < len(source_feed), "pushes went on after the dump started"
    with restored(read_only=True) as uow:
        assert uow.feed_restores.heads("t1") == [head]
    lost = {guid for _, guid in source_feed[head:]}
    ahead = [d for d in devices if d.pulled & lost]
    assert ahead, "some device had pulled events the backup does not hold"

    push, pull = _use_cases(restored)
    for device in devices:
        # The client pushes again what it holds; what the backup lacks is stored again.
        outcome = push("t1", ADMIN, device.pushed)
        statuses = {r.guid: r.status for r in outcome.results}
        assert {g for g, s in statuses.items() if s == "applied"} == (
            {e["guid"] for e in device.pushed} & lost
        )
        device.sync(push, pull)  # and goes on working, resuming from the cursor it held
    for device in devices:
        device.pull_to_end(pull)

    final = _feed(restored)
    assert [seq for seq, _ in final] == list(range(1, len(final) + 1))
    everything = {e["guid"] for d in devices for e in d.pushed}
    assert {guid for _, guid in final} == everything  # nothing lost, nothing twice
    for device in devices:
        # Every event of the restored feed reached every device, before or after the restore.
        assert everything <= device.pulled, device.name
