"""The in-memory database: plain dicts, cloned per unit of work, swapped in on commit."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import attrs

from domain.conflicts import Conflict
from domain.duplicates import PotentialDuplicate
from domain.entities import Entity
from domain.events import Event
from domain.tenants import Tenant
from domain.users import User
from ports.repositories import AuditEntry, JobRun, RefreshToken, RejectedEvent


def _nested(source: dict[str, dict[Any, Any]]) -> defaultdict[str, dict[Any, Any]]:
    return defaultdict(dict, {k: dict(v) for k, v in source.items()})


def _nested_sets(source: dict[str, dict[Any, set[str]]]) -> defaultdict[str, dict[Any, set[str]]]:
    return defaultdict(dict, {k: {kk: set(vv) for kk, vv in v.items()} for k, v in source.items()})


@attrs.define
class MemoryState:
    tenants: dict[str, Tenant] = attrs.field(factory=dict)
    users: dict[int, User] = attrs.field(factory=dict)
    next_user_id: int = 1
    events: defaultdict[str, dict[str, Event]] = attrs.field(factory=lambda: defaultdict(dict))
    feed: defaultdict[str, dict[int, str]] = attrs.field(factory=lambda: defaultdict(dict))
    heads: dict[str, int] = attrs.field(factory=dict)
    touches: defaultdict[str, dict[str, set[str]]] = attrs.field(factory=lambda: defaultdict(dict))
    touched_by: defaultdict[str, dict[str, set[str]]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    entities: defaultdict[str, dict[str, Entity]] = attrs.field(factory=lambda: defaultdict(dict))
    # guid -> when first stored (the first state's last_updated), as the SQL adapters keep it
    entity_created: defaultdict[str, dict[str, datetime]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    keys: defaultdict[str, dict[str, set[str]]] = attrs.field(factory=lambda: defaultdict(dict))
    entity_keys: defaultdict[str, dict[str, set[str]]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    conflicts: defaultdict[str, dict[str, Conflict]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    duplicates: defaultdict[str, dict[str, PotentialDuplicate]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    quarantine: defaultdict[str, dict[str, RejectedEvent]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    audit: defaultdict[str, dict[int, AuditEntry]] = attrs.field(factory=lambda: defaultdict(dict))
    next_audit_id: int = 1
    leases: dict[str, tuple[str, datetime]] = attrs.field(factory=dict)  # name -> holder, until
    pull_activity: dict[str, datetime] = attrs.field(factory=dict)  # tenant -> last pull
    job_runs: dict[int, JobRun] = attrs.field(factory=dict)
    refresh_tokens: dict[str, RefreshToken] = attrs.field(factory=dict)  # by token hash
    # external sync: tenant -> {(system, event guid): OutboxRow}, {(system, entity): IdMapping},
    # {(system, direction): cursor}; runs by id
    outbox: defaultdict[str, dict[Any, Any]] = attrs.field(factory=lambda: defaultdict(dict))
    next_outbox: int = 1
    id_map: defaultdict[str, dict[Any, Any]] = attrs.field(factory=lambda: defaultdict(dict))
    cursors: defaultdict[str, dict[Any, Any]] = attrs.field(factory=lambda: defaultdict(dict))
    runs: dict[str, Any] = attrs.field(factory=dict)
    feed_restores: dict[str, list[int]] = attrs.field(factory=dict)  # tenant -> restored heads

    def clone(self) -> MemoryState:
        return MemoryState(
            tenants=dict(self.tenants),
            users=dict(self.users),
            next_user_id=self.next_user_id,
            events=_nested(self.events),
            feed=_nested(self.feed),
            heads=dict(self.heads),
            touches=_nested_sets(self.touches),
            touched_by=_nested_sets(self.touched_by),
            entities=_nested(self.entities),
            entity_created=_nested(self.entity_created),
            keys=_nested_sets(self.keys),
            entity_keys=_nested_sets(self.entity_keys),
            conflicts=_nested(self.conflicts),
            duplicates=_nested(self.duplicates),
            quarantine=_nested(self.quarantine),
            audit=_nested(self.audit),
            next_audit_id=self.next_audit_id,
            leases=dict(self.leases),
            pull_activity=dict(self.pull_activity),
            job_runs=dict(self.job_runs),
            refresh_tokens=dict(self.refresh_tokens),
            outbox=_nested(self.outbox),
            next_outbox=self.next_outbox,
            id_map=_nested(self.id_map),
            cursors=_nested(self.cursors),
            runs=dict(self.runs),
            feed_restores={k: list(v) for k, v in self.feed_restores.items()},
        )

    def drop_tenant(self, tenant_id: str) -> None:
        for table in (
            self.events,
            self.feed,
            self.touches,
            self.touched_by,
            self.entities,
            self.entity_created,
            self.keys,
            self.entity_keys,
            self.conflicts,
            self.duplicates,
            self.quarantine,
            self.audit,
            self.outbox,
            self.id_map,
            self.cursors,
        ):
            table.pop(tenant_id, None)
        self.heads.pop(tenant_id, None)
        self.pull_activity.pop(tenant_id, None)
        self.runs = {k: r for k, r in self.runs.items() if r.tenant_id != tenant_id}
        self.feed_restores.pop(tenant_id, None)
