"""Data a remote system sends back (an OpenFn job POSTs its results): the callback.

``POST /api/sync/external/callback/{configId}`` carries the tenant's callback token (issued
once by an admin, stored as its sha256 only) and records ``{id, timestamp, type?, ...}`` in
upstream's mock shape. They are applied like a pull: deterministic guids (a repeated callback
is a no-op), pushed as ``external:<system>`` (never queued back to it).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from application.access import require_admin, tenant_for
from application.external_sync_pull import pulled_events
from application.push import PushEvents
from domain.errors import InvalidEvent, NotFound, StateConflict, Unauthenticated
from domain.external_sync import puller_id, system_of
from domain.users import ADMIN, Principal
from ports.clock import Clock, IdGenerator
from ports.external import ExternalRecord
from ports.repositories import UnitOfWorkFactory

MAX_RECORDS = 1000
_GROUPS = frozenset({"group", "household"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def callback_record(row: object) -> ExternalRecord:
    if not isinstance(row, Mapping) or row.get("id") in (None, ""):
        raise InvalidEvent("each record needs an 'id'", code="invalid-record")
    data = {k: v for k, v in row.items() if k not in ("id", "timestamp")}
    kind = "group" if {row.get("type"), row.get("entityName")} & _GROUPS else "individual"
    return ExternalRecord(
        model="callback",
        external_id=str(row["id"]),
        version=str(row.get("timestamp") or ""),
        kind=kind,
        data=data,
        deleted=bool(row.get("deleted")),
    )


class ExternalCallback:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, push: PushEvents
    ) -> None:
        self.uow_factory, self.clock, self._ids, self._push = uow_factory, clock, ids, push

    def issue_token(self, principal: Principal, tenant_id: str) -> str:
        """A new callback token for the tenant's system (the previous one stops working)."""
        require_admin(principal)
        token = self._ids.new_id().replace("-", "") + self._ids.new_id().replace("-", "")
        with self.uow_factory() as uow:
            tenant = tenant_for(uow, tenant_id, principal)
            system = system_of(tenant.config)
            if system is None:
                raise StateConflict(
                    f"configuration {tenant_id!r} has no external sync configured",
                    code="external-sync-not-configured",
                )
            uow.external.set_callback_hash(tenant_id, system, _hash(token), self.clock.now())
            uow.commit()
        return token

    def receive(self, tenant_id: str, token: str | None, rows: Sequence[Any]) -> int:
        """Apply the records; returns how many events were new. 401 for a wrong token."""
        if len(rows) > MAX_RECORDS:
            raise InvalidEvent(f"at most {MAX_RECORDS} records per callback", code="too-many")
        with self.uow_factory(read_only=True) as uow:
            tenant = uow.tenants.get(tenant_id)
            system = system_of(tenant.config) if tenant is not None else None
            stored = uow.external.callback_hash(tenant_id, system) if system else None
        if stored is None or not token or not hmac.compare_digest(stored, _hash(token)):
            # One answer for an unknown tenant, no token and a wrong token: nothing to probe.
            raise Unauthenticated("invalid callback token", code="invalid-callback-token")
        assert system is not None
        if tenant is None:
            raise NotFound(f"configuration {tenant_id!r} does not exist", code="tenant-not-found")
        records = [callback_record(row) for row in rows]
        events, maps = pulled_events(self, tenant_id, system, records)
        principal = Principal(
            user_id=puller_id(system), email=None, role=ADMIN, tenants=(tenant_id,)
        )
        applied = self._push(tenant_id, principal, events).applied if events else 0
        if maps:
            with self.uow_factory() as uow:
                uow.external.map_ids(tenant_id, system, maps)
                uow.commit()
        return applied
