"""Parsed tenants kept between requests, so a push does not read and decode its tenant's whole
configuration (and parse its duplicate rules) every time.

An entry is valid while the stored tenant's ``updated_at`` is unchanged. Every use still asks
the database for that time, inside the caller's unit of work, so a change made by any worker or
host is seen by the very next push; only the large row and its decoding are saved. A tenant
without a stored time (rows older than that column) is always read in full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

import attrs

from domain.duplicates import DuplicateRules
from domain.tenants import Tenant
from ports.repositories import UnitOfWork

CAPACITY = 256  # tenants per worker; the least recently used one is dropped beyond


@attrs.frozen
class KnownTenant:
    tenant: Tenant
    rules: DuplicateRules


class TenantCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[datetime, KnownTenant]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, uow: UnitOfWork, tenant_id: str) -> KnownTenant | None:
        """The tenant as stored now (``None`` when it does not exist)."""
        stamp = uow.tenants.updated_at(tenant_id)
        if stamp is not None:
            with self._lock:
                entry = self._entries.get(tenant_id)
                if entry is not None and entry[0] == stamp:
                    self._entries.move_to_end(tenant_id)
                    return entry[1]
        tenant = uow.tenants.get(tenant_id)
        if tenant is None:
            return None
        known = KnownTenant(
            tenant, DuplicateRules.from_config(tenant.config.get("duplicateDetection"))
        )
        if tenant.updated_at is not None:
            with self._lock:
                self._entries[tenant_id] = (tenant.updated_at, known)
                self._entries.move_to_end(tenant_id)
                while len(self._entries) > CAPACITY:
                    self._entries.popitem(last=False)
        return known
