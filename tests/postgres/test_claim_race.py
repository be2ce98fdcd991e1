"""Two devices re-pushing the same events at the same instant: applied exactly once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ADMIN
from tests.contract.builders import event, tenant
from tests.postgres.conftest import wire
from tests.support.events import at, wire_event

pytestmark = pytest.mark.postgres


def _batch(round_: int) -> list[dict]:
    person = f"person-{round_}"
    events = [wire_event("create-individual", person, {"name": "Ann"}, timestamp=at(0))]
    events += [
        wire_event("update-individual", person, {"visits": i}, timestamp=at(i)) for i in range(1, 4)
    ]
    events.append(wire_event("create-individual", f"other-{round_}", {"name": "Bob"}))
    return events


def test_the_same_batch_pushed_twice_at_once_is_applied_once(pg):
    app = wire(pg, None, "t1")
    rounds = 10
    for round_ in range(rounds):
        batch = _batch(round_)
        barrier = threading.Barrier(2)

        def push(events=batch, barrier=barrier):
            barrier.wait()
            return app.push("t1", ADMIN, events)

        with ThreadPoolExecutor(2) as pool:
            outcomes = [f.result() for f in [pool.submit(push), pool.submit(push)]]
        statuses = sorted("/".join(sorted({r.status for r in o.results})) for o in outcomes)
        assert statuses == ["applied", "duplicate"], round_
    with pg() as uow:
        assert uow.events.head("t1") == rounds * 5
        assert uow.entities.count("t1") == rounds * 2
        people = uow.entities.get_many("t1", [f"person-{r}" for r in range(rounds)])
        assert {p.version for p in people.values()} == {4}  # create + 3 updates, once each
        assert {p.data["visits"] for p in people.values()} == {3}
        assert len(uow.audit.for_entity("t1", "person-0", 100)) == 4


def _claim_in_thread(pg, guid: str) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def claim():
        started = time.monotonic()
        with pg() as uow:
            result["claimed"] = claimed = uow.events.claim("t1", [event(guid)])
            uow.events.number("t1", [event(g) for g in claimed])
            uow.commit()
        result["waited"] = time.monotonic() - started

    thread = threading.Thread(target=claim)
    thread.start()
    return thread, result


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_claim_waits_for_a_concurrent_uncommitted_claim_of_the_same_guid(pg, first_commits):
    with pg() as uow:
        uow.tenants.add(tenant("t1"))
        uow.commit()
    with pg() as first:
        assert first.events.claim("t1", [event("g1")]) == {"g1"}
        first.events.number("t1", [event("g1")])
        thread, second = _claim_in_thread(pg, "g1")
        time.sleep(0.3)
        assert thread.is_alive()  # blocked on the guid's lock, not answered from a snapshot
        if first_commits:
            first.commit()
    thread.join(10)
    # Whichever transaction ends up owning the guid, it was claimed exactly once.
    assert second["claimed"] == (set() if first_commits else {"g1"})
    assert second["waited"] >= 0.25
    with pg() as uow:
        assert set(uow.events.get_many("t1", ["g1"])) == {"g1"}
