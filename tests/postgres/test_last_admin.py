"""Two admins demoting each other at once cannot leave the server without an admin."""

from __future__ import annotations

import threading
import time

import attrs

from adapters_out.postgres import PostgresDatabase
from tests.contract.builders import user


def test_counting_admins_with_a_lock_waits_for_a_concurrent_demotion(pg: PostgresDatabase):
    with pg() as uow:
        ann = uow.users.add(user("ann@example.org", role="ADMIN", tenants=("*",)))
        uow.users.add(user("bob@example.org", role="ADMIN", tenants=("*",)))
        uow.commit()
    seen: list[int] = []

    def second_admin_checks() -> None:
        with pg() as other:
            seen.append(other.users.count_admins(lock=True))

    with pg() as uow:
        assert uow.users.count_admins(lock=True) == 2
        uow.users.update(attrs.evolve(ann, role="USER"))
        checker = threading.Thread(target=second_admin_checks)
        checker.start()
        time.sleep(0.3)
        assert checker.is_alive(), "the locked count must wait for the open demotion"
        uow.commit()
    checker.join(timeout=10)
    assert seen == [1]  # re-evaluated after the commit: bob is the last admin
