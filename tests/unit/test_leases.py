"""The application's lease helper over the in-memory store: held, refused, renewed, released."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters_out.memory.uow import MemoryDatabase
from application.leases import LeaseLost, Leases
from tests.support.clock import CountingIds, SteppingClock


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def leases(clock: SteppingClock) -> Leases:
    return Leases(MemoryDatabase(), clock, CountingIds())


def test_a_second_runner_is_refused_while_the_first_holds_the_lease(leases: Leases):
    with leases.held("cleanup", ttl_s=60) as first:
        assert first is not None
        assert leases.holder("cleanup") == first.holder
        with leases.held("cleanup", ttl_s=60) as second:
            assert second is None
    assert leases.holder("cleanup") is None
    with leases.held("cleanup", ttl_s=60) as again:
        assert again is not None


def test_a_lease_taken_over_after_expiry_is_lost_on_renewal(leases: Leases, clock):
    with leases.held("cleanup", ttl_s=60) as first:
        assert first is not None
        clock.advance(timedelta(seconds=61))
        with leases.held("cleanup", ttl_s=60) as second:
            assert second is not None
            with pytest.raises(LeaseLost):
                first.renew()
            second.renew()
            assert leases.holder("cleanup") == second.holder
