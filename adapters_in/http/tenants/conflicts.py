"""``/api/conflicts``: concurrent edits for review (admin)."""

from __future__ import annotations

import attrs
import falcon

from adapters_in.http.parsing import parse, principal_of, query_int, tenant_of
from adapters_in.http.routing import HttpKit
from adapters_in.http.tenants import render
from application.review_conflicts import ListConflicts, ResolveConflict


@attrs.frozen(kw_only=True)
class ResolveConflictBody:
    resolution: str
    config_id: str | None = None


class ConflictsResource:
    def __init__(self, list_conflicts: ListConflicts, kit: HttpKit) -> None:
        self._list, self._default = list_conflicts, kit.config.legacy_default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        status = req.get_param("status") or "open"
        found = self._list(
            principal_of(req),
            tenant_of(req, self._default),
            None if status == "all" else status,
            query_int(req, "limit", 100),
            query_int(req, "offset", 0),
        )
        resp.media = [render.conflict(c) for c in found]


class ResolveConflictResource:
    def __init__(self, resolve: ResolveConflict, kit: HttpKit) -> None:
        self._resolve, self._kit = resolve, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response, conflict_id: str) -> None:
        body = parse(req, self._kit.strict, ResolveConflictBody)
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        done = self._resolve(principal_of(req), tenant, conflict_id, body.resolution)
        resp.media = {"conflict": render.conflict(done.conflict), "eventGuid": done.event_guid}
