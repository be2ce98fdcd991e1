"""Storage for external sync: the outbox, the id map, cursors and the record of every run.

Part of the unit of work (``uow.external``), so outbox rows are written in the transaction of
the events that cause them, and a run writes its results, id map entries and status changes
together. Implemented in memory, SQLite and PostgreSQL; ``tests/contract/test_external_store.py``
holds them to one behaviour.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

import attrs

OutboxStatus = Literal["pending", "in_flight", "done", "rejected", "dead"]
Direction = Literal["push", "pull"]


@attrs.frozen(kw_only=True)
class NewOutboxRow:
    event_guid: str
    entity_guid: str
    op: str  # create | update | delete | link | unlink
    idempotency_key: str


@attrs.frozen(kw_only=True)
class OutboxRow:
    position: int  # insertion order = feed order of the causing events
    system: str
    event_guid: str
    entity_guid: str
    op: str
    idempotency_key: str
    status: OutboxStatus = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    external_ref: str | None = None
    created_at: datetime
    updated_at: datetime


@attrs.frozen(kw_only=True)
class IdMapping:
    entity_guid: str
    external_model: str
    external_id: str
    last_seen_version: str | None = None


@attrs.frozen(kw_only=True)
class SyncRun:
    id: str
    tenant_id: str
    system: str
    trigger: str  # "api", "cli", "schedule"
    status: Literal["running", "succeeded", "partial", "failed"]
    started_at: datetime
    finished_at: datetime | None = None
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    errors: Sequence[Mapping[str, Any]] = ()  # {kind, message}; never a secret


class ExternalRepository(Protocol):
    # -- outbox ------------------------------------------------------------------------------
    def enqueue(
        self, tenant_id: str, system: str, rows: Sequence[NewOutboxRow], now: datetime
    ) -> None:
        """Append rows in the given order; a row already there (same event) is left alone."""
        ...

    def due(self, tenant_id: str, system: str, now: datetime, limit: int) -> list[OutboxRow]:
        """Pending rows whose ``next_attempt_at`` is unset or not after ``now``, oldest first."""
        ...

    def settle(self, tenant_id: str, rows: Sequence[OutboxRow], now: datetime) -> None:
        """Store the rows' status, attempts, next_attempt_at, last_error and external_ref."""
        ...

    def outbox(
        self,
        tenant_id: str,
        system: str | None,
        statuses: Collection[OutboxStatus],
        limit: int,
        offset: int,
    ) -> list[OutboxRow]:
        """Rows with one of ``statuses`` (any system when None), oldest first."""
        ...

    def requeue(self, tenant_id: str, event_guids: Collection[str], now: datetime) -> int:
        """Dead or rejected rows back to pending with no attempts; returns how many."""
        ...

    def counts(self, tenant_id: str) -> dict[str, int]:
        """Rows per status (statuses with none are left out)."""
        ...

    # -- id map ------------------------------------------------------------------------------
    def mapped(
        self, tenant_id: str, system: str, entity_guids: Collection[str]
    ) -> dict[str, IdMapping]:
        """By entity guid, for those that have a remote id."""
        ...

    def mapped_external(
        self, tenant_id: str, system: str, model: str, external_ids: Collection[str]
    ) -> dict[str, IdMapping]:
        """By remote id, for those that are known."""
        ...

    def map_ids(self, tenant_id: str, system: str, mappings: Sequence[IdMapping]) -> None:
        """Upsert by entity guid (a remote id is unique per model within a system)."""
        ...

    # -- cursors and runs --------------------------------------------------------------------
    def cursor(self, tenant_id: str, system: str, direction: Direction) -> str | None: ...
    def set_cursor(
        self, tenant_id: str, system: str, direction: Direction, cursor: str, now: datetime
    ) -> None: ...
    def save_run(self, run: SyncRun) -> None:
        """Insert or replace by id."""
        ...

    def run(self, run_id: str) -> SyncRun | None: ...
    def set_callback_hash(
        self, tenant_id: str, system: str, token_hash: str, now: datetime
    ) -> None:
        """Replace the tenant's callback token hash for ``system``."""
        ...

    def callback_hash(self, tenant_id: str, system: str) -> str | None: ...
    def runs(self, tenant_id: str, limit: int, offset: int) -> list[SyncRun]:
        """Newest first."""
        ...
