"""/api/sync/push/audit-logs and /api/sync/pull/audit-logs (compat, low priority).

The pull keeps upstream's bare-array body; the next page is announced in the ``X-Next-Cursor``
response header (absent on the last page), to be passed back as ``since``.
"""

from __future__ import annotations

from typing import Any

import attrs
import falcon

from adapters_in.http.openapi import audit_logs_doc
from adapters_in.http.parsing import parse, principal_of, query_int, tenant_of
from adapters_in.http.routing import HttpKit, RouteModule
from application.audit_logs import DEFAULT_PAGE, AuditLogDraft, PullAuditLogs, PushAuditLogs
from domain.timestamps import format_instant
from ports.repositories import AuditEntry


@attrs.frozen(kw_only=True)
class AuditPushBody:
    audit_logs: list[AuditLogDraft]  # each entry's userId is ignored: the caller is the author
    config_id: str | None = None


def render_entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "guid": entry.guid,
        "timestamp": format_instant(entry.timestamp),
        "userId": entry.user_id,
        "action": entry.action,
        "eventGuid": entry.event_guid,
        "entityGuid": entry.entity_guid,
        "changes": entry.changes,
        "signature": entry.signature,
    }


class PushAuditLogsResource:
    def __init__(self, push: PushAuditLogs, kit: HttpKit) -> None:
        self._push, self._kit = push, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.wire, AuditPushBody)
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        accepted = self._push(tenant, principal_of(req), body.audit_logs)
        resp.media = {"status": "success", "accepted": accepted}


class PullAuditLogsResource:
    def __init__(self, pull: PullAuditLogs, kit: HttpKit) -> None:
        self._pull, self._kit = pull, kit

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        limit = query_int(req, "limit", DEFAULT_PAGE)
        page = self._pull(tenant, principal_of(req), req.get_param("since"), limit)
        if page.next_cursor is not None:
            resp.set_header("X-Next-Cursor", page.next_cursor)
        resp.media = [render_entry(e) for e in page.entries]


def routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route(
            "/api/sync/push/audit-logs", PushAuditLogsResource(kit.use(PushAuditLogs), kit)
        )
        app.add_route(
            "/api/sync/pull/audit-logs", PullAuditLogsResource(kit.use(PullAuditLogs), kit)
        )

    return RouteModule(
        name="audit-logs",
        register=register,
        paths=audit_logs_doc.PATHS,
        schemas=audit_logs_doc.SCHEMAS,
    )
