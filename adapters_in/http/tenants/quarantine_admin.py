"""``/api/sync/rejected/{guid}``: retry or discard a quarantined event (admin)."""

from __future__ import annotations

import falcon

from adapters_in.http.parsing import principal_of, tenant_of
from adapters_in.http.routing import HttpKit
from adapters_in.http.wire_events import render_result
from application.review_quarantine import DiscardRejected, RetryRejected


class RetryRejectedResource:
    def __init__(self, retry: RetryRejected, kit: HttpKit) -> None:
        self._retry, self._default = retry, kit.config.legacy_default_tenant

    def on_post(self, req: falcon.Request, resp: falcon.Response, guid: str) -> None:
        result = self._retry(principal_of(req), tenant_of(req, self._default), guid)
        resp.media = render_result(result)


class RejectedEventResource:
    def __init__(self, discard: DiscardRejected, kit: HttpKit) -> None:
        self._discard, self._default = discard, kit.config.legacy_default_tenant

    def on_delete(self, req: falcon.Request, resp: falcon.Response, guid: str) -> None:
        self._discard(principal_of(req), tenant_of(req, self._default), guid)
        resp.status = falcon.HTTP_204
