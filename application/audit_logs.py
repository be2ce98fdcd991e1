"""Device audit logs (protocol: Audit logs, compat): as upstream, but paged and tenant-checked.

Upstream replaced each pushed entry's ``userId`` with the caller's id; we do the same with the
authenticated principal, so a device cannot write entries in someone else's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from application.access import tenant_for
from domain.cursor import CursorCodec, InvalidCursor
from domain.errors import ValidationFailed
from domain.timestamps import EPOCH, INVALID, parse_instant, read_instant, shifted
from domain.users import Principal
from ports.repositories import AuditEntry, UnitOfWork, UnitOfWorkFactory

MAX_BATCH = 1000
DEFAULT_PAGE = 100
MAX_PAGE = 1000
_CURSOR = re.compile(r"^a2_(-?[0-9]{1,20})_([0-9]{1,19})_([0-9a-f]{32})$")
_MICRO = timedelta(microseconds=1)


@attrs.frozen(kw_only=True)
class AuditLogDraft:
    guid: str
    timestamp: str
    action: str
    entity_guid: str
    event_guid: str = ""
    changes: Mapping[str, Any] = attrs.field(factory=dict)
    signature: str = ""


@attrs.frozen(kw_only=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_cursor: str | None  # only when more entries exist after this page


def encode_audit_cursor(cursors: CursorCodec, tenant_id: str, entry: AuditEntry) -> str:
    """A position in (timestamp, id) order, signed like feed cursors (``domain.cursor``); it
    starts with a letter so it never looks like the ISO timestamps legacy callers pass."""
    micros, entry_id = str((entry.timestamp - EPOCH) // _MICRO), str(entry.id or 0)
    return f"a2_{micros}_{entry_id}_{cursors.tag('audit', tenant_id, micros, entry_id)}"


class PushAuditLogs:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(
        self, tenant_id: str, principal: Principal, drafts: Sequence[AuditLogDraft]
    ) -> int:
        if len(drafts) > MAX_BATCH:
            raise ValidationFailed(
                "too many audit log entries",
                [("/auditLogs", "batch-too-large", f"at most {MAX_BATCH} entries per push")],
            )
        entries, problems = [], []
        for index, draft in enumerate(drafts):
            instant, code = read_instant(draft.timestamp)
            if instant is None:
                detail = (
                    "must be an RFC 3339 date-time with 'Z' or an offset"
                    if code == INVALID
                    else "must fall in the years 0001-9999 once converted to UTC"
                )
                problems.append((f"/auditLogs/{index}/timestamp", code or INVALID, detail))
                continue
            entries.append(_entry(draft, instant, principal.user_id))
        if problems:
            raise ValidationFailed("some audit log entries are not valid", problems)
        with self._uow_factory() as uow:
            tenant_for(uow, tenant_id, principal)
            if entries:
                uow.audit.add_many(tenant_id, entries)
            uow.commit()
        return len(entries)


def _entry(draft: AuditLogDraft, instant: datetime, user_id: str) -> AuditEntry:
    return AuditEntry(
        id=None,
        guid=draft.guid,
        timestamp=instant,
        user_id=user_id,
        action=draft.action,
        entity_guid=draft.entity_guid,
        event_guid=draft.event_guid,
        changes=dict(draft.changes),
        signature=draft.signature,
        origin="device",
    )


class PullAuditLogs:
    def __init__(self, uow_factory: UnitOfWorkFactory, cursors: CursorCodec) -> None:
        self._uow_factory, self._cursors = uow_factory, cursors

    def __call__(
        self, tenant_id: str, principal: Principal, since: str | None, limit: int = DEFAULT_PAGE
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        since = (since or "").strip()
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            rows = self._rows(uow, tenant_id, since, limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return AuditPage(
            entries=tuple(page),
            next_cursor=encode_audit_cursor(self._cursors, tenant_id, page[-1]) if more else None,
        )

    def _rows(self, uow: UnitOfWork, tenant_id: str, since: str, fetch: int) -> list[AuditEntry]:
        if not since:  # upstream returned [] here (defect 22): we serve from the start
            return uow.audit.since(tenant_id, None, fetch)
        match = _CURSOR.match(since)
        if match is not None:
            micros, entry_id, tag = match.groups()
            if not self._cursors.matches(tag, "audit", tenant_id, micros, entry_id):
                raise InvalidCursor("the cursor was not issued by this server for this log")
            try:
                at = EPOCH + int(micros) * _MICRO
            except OverflowError:
                raise InvalidCursor("the cursor is malformed") from None
            after_id = int(entry_id)
            # Keyset "(timestamp, id) > (at, after_id)" with the port's two filters: the rest
            # of the entries sharing ``at``, then everything strictly later.
            tied = uow.audit.since(tenant_id, shifted(at, -_MICRO), fetch, after_id=after_id)
            later = uow.audit.since(tenant_id, at, fetch)
            return ([e for e in tied if e.timestamp == at] + later)[:fetch]
        instant = parse_instant(since)
        if instant is None:
            raise InvalidCursor(
                "'since' must be a cursor from a previous page or an ISO-8601 timestamp"
            )
        return uow.audit.since(tenant_id, instant, fetch)
