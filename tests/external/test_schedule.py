"""The optional per-tenant schedule: due tenants run once per period, across workers."""

from __future__ import annotations

import threading

from adapters_out.external.fakes.servers import FakeMock
from domain.external_sync import schedule_of
from domain.tenant_config_integrations import check_external_sync
from tests.external.conftest import Harness, event


def test_due_tenants_run_once_per_period_even_with_several_workers(
    harness: Harness, fake_mock: FakeMock
):
    harness.add_tenant("every", {"type": "mock", "url": fake_mock.url, "schedule": "1h"})
    harness.add_tenant("manual", {"type": "mock", "url": fake_mock.url})
    harness.device_push("every", [event("a", "e1")])
    harness.device_push("manual", [event("b", "e2")])
    results: list[list[object]] = []
    start = threading.Barrier(3)

    def worker() -> None:
        start.wait()
        results.append(harness.sync.run_due())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runs = [run for batch in results for run in batch]
    assert [(r.tenant_id, r.trigger, r.pushed) for r in runs] == [("every", "schedule", 1)]
    assert harness.sync.run_due() == []  # not due again for an hour
    assert sorted(fake_mock.received) == ["a"]


def test_a_schedule_is_checked_when_the_config_is_saved():
    problems: list[tuple[str, str, str]] = []
    check_external_sync({"type": "mock", "schedule": "5s"}, ["mock"], problems)
    check_external_sync({"type": "mock", "schedule": "often"}, ["mock"], problems)
    check_external_sync({"type": "mock", "schedule": "15m"}, ["mock"], problems)
    assert [p[:2] for p in problems] == [("/externalSync/schedule", "invalid-value")] * 2
    assert schedule_of({"externalSync": {"type": "mock", "schedule": "15m"}}) == 900.0
    assert schedule_of({"externalSync": {"type": "mock", "schedule": 3600}}) == 3600.0
    assert schedule_of({"externalSync": {"type": "mock"}}) is None
