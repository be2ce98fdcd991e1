"""Named, expiring leases: one holder at a time, taken over only after expiry."""

from __future__ import annotations

import threading
from datetime import timedelta

from tests.contract.builders import t


def _acquire(database, name, holder, now, until) -> bool:
    with database() as uow:
        taken = uow.leases.acquire(name, holder, now, until)
        uow.commit()
    return taken


def test_a_free_lease_is_taken_and_refused_to_others_until_it_expires(database):
    assert _acquire(database, "cleanup", "a", t(0), t(10))
    assert not _acquire(database, "cleanup", "b", t(5), t(15))
    with database(read_only=True) as uow:
        assert uow.leases.holder("cleanup", t(5)) == "a"
        assert uow.leases.holder("cleanup", t(10)) is None  # expiry is exclusive
        assert uow.leases.holder("other", t(5)) is None
    assert _acquire(database, "cleanup", "b", t(10), t(20))
    with database(read_only=True) as uow:
        assert uow.leases.holder("cleanup", t(11)) == "b"


def test_the_holder_extends_its_lease_and_names_are_independent(database):
    assert _acquire(database, "cleanup", "a", t(0), t(10))
    assert _acquire(database, "cleanup", "a", t(9), t(30))
    assert not _acquire(database, "cleanup", "b", t(20), t(40))
    assert _acquire(database, "external-sync:t1", "b", t(20), t(40))


def test_release_frees_only_the_holders_lease(database):
    assert _acquire(database, "cleanup", "a", t(0), t(10))
    with database() as uow:
        uow.leases.release("cleanup", "b")  # not the holder: nothing happens
        uow.commit()
    assert not _acquire(database, "cleanup", "b", t(1), t(10))
    with database() as uow:
        uow.leases.release("cleanup", "a")
        uow.commit()
    assert _acquire(database, "cleanup", "b", t(1), t(10))


def test_an_uncommitted_acquire_takes_nothing(database):
    with database() as uow:
        assert uow.leases.acquire("cleanup", "a", t(0), t(10))
    assert _acquire(database, "cleanup", "b", t(0), t(10))


def test_concurrent_acquires_of_one_name_have_one_winner(database):
    winners: list[str] = []
    start = threading.Barrier(8)

    def contender(holder: str) -> None:
        start.wait()
        if _acquire(database, "cleanup", holder, t(0), t(0) + timedelta(minutes=1)):
            winners.append(holder)

    threads = [threading.Thread(target=contender, args=(f"h{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
