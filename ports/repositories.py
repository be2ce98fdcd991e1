"""Storage ports. One unit of work = one database transaction; nothing persists without commit().

Every method is scoped by ``tenant_id`` (except users, which span tenants). Implementations:
``adapters_out.memory`` (reference, used by fast tests), ``adapters_out.sqlite`` (embedded
default) and ``adapters_out.postgres`` (production). ``tests/contract`` runs one suite
against all three; a behaviour described here and not tested there is a bug in the tests.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from domain.conflicts import Conflict
from domain.duplicates import DuplicateStatus, PotentialDuplicate
from domain.entities import Entity
from domain.events import Event
from domain.tenants import Tenant
from domain.users import User
from ports.entity_scan import EntityRow, EntityScan
from ports.external_store import ExternalRepository
from ports.records import (
    AuditEntry,
    EntityQuery,
    FeedStatus,
    JobRun,
    RefreshToken,
    RejectedEvent,
    TenantQuery,
    TenantSummary,
)

__all__ = [
    "AuditEntry",
    "AuditRepository",
    "ConflictRepository",
    "DatabaseHealth",
    "DuplicateRepository",
    "EntityQuery",
    "EntityRepository",
    "EventRepository",
    "ExternalRepository",
    "FeedRestoreRepository",
    "FeedStatus",
    "JobRun",
    "JobRunRepository",
    "LeaseRepository",
    "PullActivityRepository",
    "QuarantineRepository",
    "RefreshToken",
    "RefreshTokenRepository",
    "RejectedEvent",
    "RetentionRepository",
    "TenantQuery",
    "TenantRepository",
    "TenantSummary",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]


# -- repositories ------------------------------------------------------------------------------
class TenantRepository(Protocol):
    def get(self, tenant_id: str) -> Tenant | None: ...
    def updated_at(self, tenant_id: str) -> datetime | None:
        """When the stored tenant last changed (a cheap read, for caches); ``None`` when it
        does not exist or carries no time."""
        ...

    def get_by_artifact(self, artifact_id: str) -> Tenant | None: ...
    def add(self, tenant: Tenant) -> None:
        """Insert; raises ``domain.errors.AlreadyExists`` when the id is taken."""
        ...

    def update(self, tenant: Tenant) -> None: ...
    def delete(self, tenant_id: str) -> bool:
        """Remove the tenant AND all its data (events, entities, ...). False when unknown."""
        ...

    def list_ids(self) -> list[str]: ...
    def page(self, query: TenantQuery) -> tuple[list[TenantSummary], int]:
        """One page of tenants with live entity counts (computed in SQL), and the total."""
        ...


class UserRepository(Protocol):
    def get(self, user_id: int) -> User | None: ...
    def get_by_email(self, email: str) -> User | None:
        """Case-insensitive lookup (emails are stored normalised)."""
        ...

    def list(self) -> list[User]: ...
    def add(self, user: User) -> User:
        """Insert, ignoring ``user.id``; returns the user with its new id.
        Raises ``AlreadyExists`` for a taken email."""
        ...

    def update(self, user: User) -> None:
        """Raises ``AlreadyExists`` when the new email belongs to another user."""
        ...

    def delete(self, user_id: int) -> bool: ...
    def count_admins(self, *, lock: bool = False) -> int:
        """Enabled admins. ``lock=True`` (in a writing unit of work) also locks their rows until
        the end of it, so two admins demoting each other at once cannot both succeed."""
        ...


class EventRepository(Protocol):
    def claim(self, tenant_id: str, events: Sequence[Event]) -> set[str]:
        """Reserve the events' guids for this unit of work, skipping guids the tenant already
        has or this unit of work already claimed; a guid claimed by a concurrent, uncommitted
        unit of work makes the call wait for it. Nothing is stored yet (see ``number``), so
        a claim that is never numbered leaves no trace. Returns the guids newly claimed."""
        ...

    def number(self, tenant_id: str, events_in_order: Sequence[Event]) -> list[int]:
        """Store events claimed in this unit of work, each written once with the next feed
        position, in order, and advance the head. Serialises concurrent pushes of one tenant
        until commit, so that seq order equals commit order; other tenants are never blocked.
        An event not claimed here (or numbered already) fails the unit of work. Returns the
        assigned seqs."""
        ...

    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Event]: ...
    def record_touches(self, tenant_id: str, touches: Mapping[str, Collection[str]]) -> None:
        """Index which entities each event touched (event guid -> entity guids); idempotent."""
        ...

    def touching(self, tenant_id: str, entity_guids: Collection[str]) -> dict[str, Event]:
        """Every stored event that touched any of these entities, by guid."""
        ...

    def touches_of(self, tenant_id: str, event_guids: Collection[str]) -> dict[str, set[str]]: ...
    def page(
        self, tenant_id: str, after: int, limit: int, max_bytes: int | None = None
    ) -> list[Event]:
        """Numbered events with ``seq > after`` in seq order, at most ``limit``; with
        ``max_bytes``, also no more events than fit in that many bytes of ``data`` (as the
        store measures its JSON text), but always the first one, however large."""
        ...

    def head(self, tenant_id: str) -> int: ...
    def legacy_start(self, tenant_id: str, since: datetime, received_floor: datetime) -> int:
        """The feed position to resume after for a legacy ``since`` timestamp (docs/protocol.md):
        (smallest seq with timestamp == since) - 1 if any; else (smallest seq with
        timestamp >= since or received_at >= received_floor) - 1; else the head."""
        ...

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[Event]:
        """Events whose ``entity_guid`` is this entity, oldest device timestamp first."""
        ...

    def status(self, tenant_id: str) -> FeedStatus: ...


class EntityRepository(Protocol):
    def get(self, tenant_id: str, guid: str) -> Entity | None: ...
    def get_many(self, tenant_id: str, guids: Collection[str]) -> dict[str, Entity]:
        """Entities that exist (tombstones included) among ``guids``; one round trip."""
        ...

    def save_many(
        self, tenant_id: str, entities: Sequence[Entity], match_keys: Mapping[str, Collection[str]]
    ) -> None:
        """Upsert entities and replace their duplicate match keys; one round trip per batch."""
        ...

    def remove_many(self, tenant_id: str, guids: Collection[str]) -> None:
        """Forget entities entirely (rows and match keys). Used when a re-fold shows that an
        entity was never created in fold order; normal deletion is a tombstone via save_many."""
        ...

    def find_by_keys(
        self, tenant_id: str, keys: Collection[str], per_key: int, exclude: Collection[str] = ()
    ) -> list[Entity]:
        """Live (not deleted) entities filed under any of ``keys``, via an index; at most
        ``per_key`` per key (those with the smallest guids), each entity once. The per-key
        bound keeps one huge bucket (placeholder names, default birth dates) cheap.
        Entities in ``exclude`` (a push's own, which the caller holds already) are neither
        returned nor counted against ``per_key``."""
        ...

    def list(self, tenant_id: str, query: EntityQuery) -> list[Entity]:
        """Newest ``last_updated`` first (guid breaks ties), live entities unless asked."""
        ...

    def count(self, tenant_id: str) -> int:
        """Live entities, counted by the database."""
        ...

    def count_by_form(self, tenant_id: str) -> dict[str, int]:
        """Live entities per ``data.entityName`` (entities without one are skipped)."""
        ...

    def scan(self, tenant_id: str, query: EntityScan) -> list[EntityRow]:
        """Entities matching ``query`` in ``guid`` order: those after ``query.after``, then
        ``offset`` skipped, at most ``limit``. Live ones unless ``include_deleted``."""
        ...

    def count_scan(self, tenant_id: str, query: EntityScan) -> int:
        """How many entities match ``query`` (``after``, ``offset`` and ``limit`` ignored)."""
        ...


class ConflictRepository(Protocol):
    def add_many(self, tenant_id: str, conflicts: Iterable[Conflict]) -> int:
        """Insert, ignoring ids already present; returns how many were new."""
        ...

    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None: ...
    def list(self, tenant_id: str, status: str | None, limit: int, offset: int) -> list[Conflict]:
        """Oldest detection first."""
        ...

    def update(self, tenant_id: str, conflict: Conflict) -> None: ...
    def count(self, tenant_id: str, status: str | None) -> int: ...


class DuplicateRepository(Protocol):
    def add_many(self, tenant_id: str, pairs: Iterable[PotentialDuplicate]) -> int:
        """Insert pairs; a pair already known (either orientation, any status) is left alone."""
        ...

    def get_many(self, tenant_id: str, keys: Collection[str]) -> dict[str, PotentialDuplicate]:
        """By unordered pair key (``domain.duplicates.pair_key``)."""
        ...

    def list(
        self, tenant_id: str, status: DuplicateStatus | None, limit: int, offset: int
    ) -> list[PotentialDuplicate]: ...
    def count(self, tenant_id: str, status: DuplicateStatus | None) -> int: ...
    def set_status(
        self,
        tenant_id: str,
        key: str,
        status: DuplicateStatus,
        at: datetime,
        event_guid: str | None,
    ) -> None:
        """Create the pair as resolved if unknown (so a "keep both" is remembered)."""
        ...

    def drop_pending_for(self, tenant_id: str, entity_guids: Collection[str]) -> None:
        """Remove pending pairs that mention any of these (deleted) entities."""
        ...


class QuarantineRepository(Protocol):
    def put(self, tenant_id: str, rejected: RejectedEvent) -> None:
        """Upsert by guid; a repeat increments ``attempts`` and refreshes code/message."""
        ...

    def get(self, tenant_id: str, guid: str) -> RejectedEvent | None: ...
    def list(self, tenant_id: str, limit: int, offset: int) -> list[RejectedEvent]:
        """Most recently received first."""
        ...

    def remove(self, tenant_id: str, guids: Collection[str]) -> None: ...
    def count(self, tenant_id: str) -> int: ...


class AuditRepository(Protocol):
    def add_many(self, tenant_id: str, entries: Sequence[AuditEntry]) -> None: ...
    def since(
        self, tenant_id: str, since: datetime | None, limit: int, after_id: int = 0
    ) -> list[AuditEntry]:
        """Entries with ``timestamp > since`` (all when None) and ``id > after_id``,
        in (timestamp, id) order."""
        ...

    def for_entity(self, tenant_id: str, entity_guid: str, limit: int) -> list[AuditEntry]: ...


class LeaseRepository(Protocol):
    """Named, expiring leases: "one runner at a time" across workers and hosts (scheduled
    jobs, an external-sync run per tenant). A lease is taken in its own short unit of work, so
    others see it at once; it expires by itself when its holder dies without releasing it."""

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold ``name`` until ``until`` when it is free, expired at ``now``, or already held
        by ``holder`` (then this extends it). False when someone else holds it."""
        ...

    def release(self, name: str, holder: str) -> None:
        """Give the lease up if ``holder`` still holds it (else nothing happens)."""
        ...

    def holder(self, name: str, now: datetime) -> str | None:
        """Who holds ``name`` at ``now`` (None when free or expired)."""
        ...


class RetentionRepository(Protocol):
    """Deletes what a retention target (``application.retention.TARGETS``) names once it is
    older than a cutoff. Events, entities and entity history are never a target."""

    def supports(self, target: str) -> bool:
        """Whether this storage holds the target's data at all (e.g. no outbox in memory)."""
        ...

    def count(self, target: str, before: datetime) -> int:
        """Rows of ``target`` older than ``before`` (what a purge would delete)."""
        ...

    def purge(self, target: str, before: datetime, limit: int) -> int:
        """Delete at most ``limit`` rows of ``target`` older than ``before``; how many went."""
        ...


class FeedRestoreRepository(Protocol):
    """The restores from backup each tenant's feed went through (``domain.cursor``)."""

    def heads(self, tenant_id: str) -> list[int]:
        """The feed head each restore restored, oldest first ([] when never restored)."""
        ...

    def record(self, tenant_id: str, restored_head: int, at: datetime) -> int:
        """Note one more restore; returns the tenant's new restore epoch (1 for the first)."""
        ...


class PullActivityRepository(Protocol):
    """The last pull per tenant, written in batches (never one write per pull request)."""

    def record(self, last_pulls: Mapping[str, datetime]) -> None:
        """Keep, per tenant, the later of the stored and the given instant."""
        ...

    def last_pulls(self, tenant_ids: Collection[str]) -> dict[str, datetime]: ...


class JobRunRepository(Protocol):
    def start(self, name: str, runner: str, at: datetime, dry_run: bool) -> int:
        """Record a run as running; returns its id."""
        ...

    def finish(
        self,
        run_id: int,
        at: datetime,
        status: str,
        counts: Mapping[str, int],
        error: str | None,
    ) -> None: ...
    def recent(self, name: str, limit: int) -> list[JobRun]:
        """Newest start first."""
        ...

    def last_finished(self, name: str, *, dry_run: bool = False) -> datetime | None:
        """When the newest finished run (succeeded or failed) ended."""


class RefreshTokenRepository(Protocol):
    """Refresh tokens by the SHA-256 of their text (the token itself is never stored)."""

    def add(self, token: RefreshToken) -> None: ...
    def get(self, token_hash: str) -> RefreshToken | None: ...
    def use(self, token_hash: str, at: datetime) -> bool:
        """Mark the token rotated if it is neither rotated nor revoked yet; True when this call
        did it. Of two concurrent calls for one token exactly one gets True."""
        ...

    def session_active(self, family_id: str, now: datetime) -> bool:
        """True while the family (a login session) has a token neither revoked nor expired at
        ``now``; False after logout, reuse detection, revocation, expiry or purge."""
        ...

    def revoke_family(self, family_id: str, at: datetime) -> int:
        """Revoke every not-yet-revoked token of the family; returns how many."""
        ...

    def revoke_user(self, user_id: int, at: datetime) -> int:
        """Revoke every not-yet-revoked token of the user (all sessions); returns how many."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete tokens that expired or were revoked at or before ``now`` (a rotated token
        is kept until it expires, so that its reuse is still recognised); returns how many."""
        ...


# -- unit of work ------------------------------------------------------------------------------
class UnitOfWork(Protocol):
    tenants: TenantRepository
    users: UserRepository
    events: EventRepository
    entities: EntityRepository
    conflicts: ConflictRepository
    duplicates: DuplicateRepository
    quarantine: QuarantineRepository
    audit: AuditRepository
    leases: LeaseRepository
    retention: RetentionRepository
    pull_activity: PullActivityRepository
    job_runs: JobRunRepository
    refresh_tokens: RefreshTokenRepository
    external: ExternalRepository
    feed_restores: FeedRestoreRepository

    def lock_entities(self, tenant_id: str, guids: Collection[str]) -> None:
        """Serialise concurrent units of work that change the same entities (until the end of
        this one). Call with all known guids at once; calls may repeat with more guids."""
        ...

    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """``with uow_factory() as uow: ...; uow.commit()`` - leaving without commit rolls back.
    ``uow_factory(read_only=True)`` is for use cases that only read: it sees a consistent
    snapshot of committed data, never waits for writers where the database allows it (SQLite
    WAL, PostgreSQL MVCC), and must not be used to write. Raises
    ``ports.errors.StorageUnavailable`` when the database cannot be reached and
    ``TransientConflict`` on deadlock/serialisation failure (the caller may retry)."""

    def __call__(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]: ...


class DatabaseHealth(Protocol):
    def check(self) -> dict[str, Any]:
        """Round trip to the database; returns latency and pool figures. Raises
        ``StorageUnavailable`` when it is unreachable."""
        ...
