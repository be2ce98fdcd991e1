"""Pull: page through a tenant's feed in commit order, by cursor or legacy timestamp."""

from __future__ import annotations

from datetime import timedelta

import attrs

from application.access import tenant_for
from application.pull_activity import PullActivity
from domain.cursor import CursorCodec, InvalidCursor, looks_like_cursor
from domain.events import Event
from domain.timestamps import parse_instant, shifted
from domain.users import Principal
from ports.repositories import UnitOfWork, UnitOfWorkFactory

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_PAGE_BYTES = 8 * 1024 * 1024  # of event data per page, beyond the first event


@attrs.frozen(kw_only=True)
class PullPage:
    events: tuple[Event, ...]
    next_cursor: str | None  # only when more events exist after this page
    checkpoint: str  # the position after this page, always


class PullEvents:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        cursors: CursorCodec,
        legacy_skew_s: float = 600.0,
        activity: PullActivity | None = None,
        max_page_bytes: int = DEFAULT_PAGE_BYTES,
    ) -> None:
        self._uow_factory, self._cursors = uow_factory, cursors
        self._skew = timedelta(seconds=legacy_skew_s)
        self._activity = activity  # None: pulls are not recorded (tests, benchmarks)
        self._max_bytes = max_page_bytes

    def __call__(
        self, tenant_id: str, principal: Principal, since: str | None, limit: int = DEFAULT_PAGE
    ) -> PullPage:
        limit = max(1, min(limit, MAX_PAGE))
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
            restores = uow.feed_restores.heads(tenant_id)
            position = self._position(uow, tenant_id, since, restores)
            # Bounded by count and by bytes (always at least one event), so a page of huge
            # events cannot exhaust a worker; whether more follow is told by the head.
            page = uow.events.page(tenant_id, position, limit, self._max_bytes)
            last = page[-1].seq if page and page[-1].seq is not None else position
            more = bool(page) and last < uow.events.head(tenant_id)
        if self._activity is not None:
            self._activity.note(tenant_id)
        epoch = len(restores)  # cursors name the restore epoch they belong to (domain.cursor)
        return PullPage(
            events=tuple(page),
            next_cursor=self._cursors.encode(tenant_id, last, epoch) if more else None,
            checkpoint=self._cursors.encode(tenant_id, last, epoch),
        )

    def _position(
        self, uow: UnitOfWork, tenant_id: str, since: str | None, restores: list[int]
    ) -> int:
        if since is None or since.strip() == "":
            return 0
        since = since.strip()
        if looks_like_cursor(since):
            return self._cursors.decode(tenant_id, since, restores)
        instant = parse_instant(since)
        if instant is None:
            raise InvalidCursor(
                "'since' must be a cursor from a previous pull or an "
                "ISO-8601 timestamp such as 2024-01-31T12:00:00.000Z"
            )
        return uow.events.legacy_start(tenant_id, instant, shifted(instant, -self._skew))
