"""``/api/conflicts``: concurrent edits for review (admin)."""

from __future__ import annotations

import attrs
import falcon

from adapters_in.http.parsing import parse, principal_of, tenant_of
from adapters_in.http.routing import HttpKit
from adapters_in.http.tenants import render
from application.review_conflicts import ResolveConflict


@attrs.frozen(kw_only=True)
class ResolveConflictBody:
    resolution: str
    config_id: str | None = None


class ResolveConflictResource:
    def __init__(self, resolve: ResolveConflict, kit: HttpKit) -> None:
        self._resolve, self._kit = resolve, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response, conflict_id: str) -> None:
        body = parse(req, self._kit.strict, ResolveConflictBody)
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        done = self._resolve(principal_of(req), tenant, conflict_id, body.resolution)
        resp.media = {"conflict": render.conflict(done.conflict), "eventGuid": done.event_guid}
