"""/api/sync: push, pull (cursor or legacy timestamp), rejected events, and the compat callback."""

from __future__ import annotations

from typing import Any

import attrs
import falcon

from adapters_in.http.openapi import sync_doc
from adapters_in.http.parsing import parse, principal_of, query_int, tenant_of
from adapters_in.http.routing import HttpKit, RouteModule
from adapters_in.http.wire_events import render_event, render_result
from application.authenticate import CheckTenantAccess
from application.pull import DEFAULT_PAGE, PullEvents
from application.push import PushEvents
from application.quarantine import ListRejectedEvents
from domain.timestamps import format_instant
from ports.metrics import Metrics
from ports.repositories import RejectedEvent


@attrs.frozen(kw_only=True)
class PushBody:
    # Elements stay raw JSON: one bad element is rejected on its own by the use case, it
    # never fails the batch (a refused batch would be retried by the device forever).
    events: list[Any]
    config_id: str | None = None


def render_rejected(item: RejectedEvent) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "code": item.code,
        "message": item.message,
        "receivedAt": format_instant(item.received_at),
        "pushedBy": item.pushed_by,
        "attempts": item.attempts,
        "event": item.raw,
    }


class PushResource:
    auth = "sync"

    def __init__(self, push: PushEvents, kit: HttpKit, metrics: Metrics) -> None:
        self._push, self._kit, self._metrics = push, kit, metrics

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.wire, PushBody, check_values=False)  # per event
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        outcome = self._push(tenant, principal_of(req), body.events)
        self._metrics.count_push(outcome.applied, outcome.duplicates, outcome.rejected)
        resp.media = {
            "status": outcome.status,
            "results": [render_result(r) for r in outcome.results],
            "applied": outcome.applied,
            "duplicates": outcome.duplicates,
            "rejected": outcome.rejected,
        }


class PullResource:
    auth = "sync"

    def __init__(self, pull: PullEvents, kit: HttpKit, metrics: Metrics) -> None:
        self._pull, self._kit, self._metrics = pull, kit, metrics

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        # ``since``: empty, one of our cursors, or a legacy client's ISO timestamp (the use
        # case tells them apart; our cursors never look like timestamps).
        since = req.get_param("since")
        page = self._pull(tenant, principal_of(req), since, query_int(req, "limit", DEFAULT_PAGE))
        self._metrics.count_pull(len(page.events))
        resp.media = {
            "events": [render_event(e) for e in page.events],
            "nextCursor": page.next_cursor,  # compat: always present, null on the last page
            "checkpoint": page.checkpoint,
        }


class RejectedResource:
    def __init__(self, rejected: ListRejectedEvents, kit: HttpKit) -> None:
        self._rejected, self._kit = rejected, kit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        limit, offset = query_int(req, "limit", 100), query_int(req, "offset", 0)
        page = self._rejected(tenant, principal_of(req), limit, offset)
        resp.media = {"items": [render_rejected(i) for i in page.items], "total": page.total}


class CallbackResource:
    auth = "sync"

    def __init__(self, access: CheckTenantAccess, kit: HttpKit) -> None:
        self._access, self._kit = access, kit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._access(tenant_of(req, self._kit.config.legacy_default_tenant), principal_of(req))
        resp.media = {"status": "not implemented"}  # compat: upstream answers exactly this


def routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/api/sync/push", PushResource(kit.use(PushEvents), kit, kit.metrics))
        app.add_route("/api/sync/pull", PullResource(kit.use(PullEvents), kit, kit.metrics))
        app.add_route("/api/sync/rejected", RejectedResource(kit.use(ListRejectedEvents), kit))
        app.add_route("/api/sync/pull/callback", CallbackResource(kit.use(CheckTenantAccess), kit))

    return RouteModule(
        name="sync",
        register=register,
        paths=sync_doc.PATHS,
        schemas=sync_doc.SCHEMAS,
        tags=sync_doc.TAGS,
    )
