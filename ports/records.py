"""Value types that cross the storage ports (plain, immutable records)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from domain.tenants import Tenant


@attrs.frozen(kw_only=True)
class RejectedEvent:
    """A pushed event the server could not apply: kept (never lost) for an admin to review."""

    guid: str  # the event's guid, or a generated one when the raw event had none
    raw: Any  # the event exactly as received (JSON value)
    code: str
    message: str
    received_at: datetime
    pushed_by: str | None
    attempts: int = 1


@attrs.frozen(kw_only=True)
class AuditEntry:
    id: int | None  # assigned by storage
    guid: str
    timestamp: datetime
    user_id: str
    action: str
    entity_guid: str
    event_guid: str
    changes: Mapping[str, Any]
    signature: str = ""
    origin: Literal["server", "device"] = "server"


@attrs.frozen(kw_only=True)
class TenantSummary:
    tenant: Tenant
    entities_count: int


@attrs.frozen(kw_only=True)
class TenantQuery:
    page: int = 1  # 1-based
    page_size: int = 12
    sort_by: Literal["name", "id", "entitiesCount"] = "name"
    descending: bool = False
    search: str = ""  # case-insensitive substring of name, id or version
    ids: tuple[str, ...] | None = None  # only these tenants (a USER's grants); None: all


@attrs.frozen(kw_only=True)
class EntityQuery:
    limit: int = 100
    offset: int = 0
    entity_name: str | None = None  # data.entityName
    type: str | None = None  # group | individual
    include_deleted: bool = False


@attrs.frozen(kw_only=True)
class FeedStatus:
    tenant_id: str
    head: int  # highest seq committed (0 for an empty feed)
    events: int
    last_push_at: datetime | None
    quarantined: int


@attrs.frozen(kw_only=True)
class JobRun:
    """One run of a scheduled job (the retention cleanup): who ran it, when, and what it did."""

    id: int
    name: str
    runner: str  # host:pid of the process that ran it
    started_at: datetime
    finished_at: datetime | None  # None while running (or when its process died)
    status: Literal["running", "succeeded", "failed"]
    dry_run: bool
    counts: Mapping[str, int]  # per retention target: rows deleted (or, dry run, that would be)
    error: str | None = None


@attrs.frozen(kw_only=True)
class RefreshToken:
    """One refresh token of a login session (a *family*: every rotation adds a member).

    Only the SHA-256 of the opaque token is stored. ``version`` is the user's credential
    version when the family began (``domain.users.credential_version``); ``used_at`` is set
    when the token was rotated, and presenting it again is a reuse."""

    token_hash: str
    family_id: str
    user_id: int
    version: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
