"""The tenant cache: a tenant's configuration is read in full only when it changed."""

from __future__ import annotations

from datetime import timedelta

import attrs

from adapters_out.memory.uow import MemoryDatabase
from application.tenant_cache import CAPACITY, TenantCache
from tests.contract.builders import T0, tenant


class CountingTenants:
    """The memory tenants, counting full reads."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner, self.full_reads = inner, 0

    def get(self, tenant_id: str):  # type: ignore[no-untyped-def]
        self.full_reads += 1
        return self._inner.get(tenant_id)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._inner, name)


def test_an_unchanged_tenant_is_read_in_full_once_and_a_change_is_seen_at_once():
    db, cache = MemoryDatabase(), TenantCache()
    rules = {"duplicateDetection": {"threshold": 0.9}}
    with db() as uow:
        uow.tenants.add(tenant("t1", **rules))
        uow.commit()
    with db() as uow:
        counting = CountingTenants(uow.tenants)
        uow.tenants = counting  # type: ignore[misc]
        first = cache.get(uow, "t1")
        second = cache.get(uow, "t1")
        assert first is second and counting.full_reads == 1
        assert first is not None and first.rules.threshold == 0.9
    changed = attrs.evolve(
        tenant("t1", duplicateDetection={"threshold": 0.5}), updated_at=T0 + timedelta(seconds=1)
    )
    with db() as uow:
        uow.tenants.update(changed)  # e.g. by another worker
        uow.commit()
    with db() as uow:
        known = cache.get(uow, "t1")
        assert known is not None and known.rules.threshold == 0.5
        assert known.tenant == changed


def test_unknown_tenants_and_tenants_without_a_time_are_never_cached():
    db, cache = MemoryDatabase(), TenantCache()
    with db() as uow:
        uow.tenants.add(attrs.evolve(tenant("old"), updated_at=None))
        uow.commit()
    with db() as uow:
        counting = CountingTenants(uow.tenants)
        uow.tenants = counting  # type: ignore[misc]
        assert cache.get(uow, "nobody") is None
        assert cache.get(uow, "old") is not None and cache.get(uow, "old") is not None
        assert counting.full_reads == 3  # "nobody" once, "old" twice


def test_the_cache_is_bounded():
    db, cache = MemoryDatabase(), TenantCache()
    with db() as uow:
        for n in range(CAPACITY + 5):
            uow.tenants.add(tenant(f"t{n}"))
        uow.commit()
        for n in range(CAPACITY + 5):
            cache.get(uow, f"t{n}")
    assert len(cache._entries) == CAPACITY
