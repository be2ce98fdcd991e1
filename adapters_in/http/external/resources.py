"""External-sync resources: parse, call one use case, render."""

from __future__ import annotations

from typing import Any

import attrs
import falcon

from adapters_in.http.parsing import InvalidRequest, parse, principal_of, query_int, tenant_of
from adapters_in.http.problems import Problem
from adapters_in.http.routing import HttpKit
from application.external_callback import ExternalCallback
from application.external_sync import RunExternalSync
from application.external_sync_admin import ExternalSyncAdmin
from domain.timestamps import format_instant
from ports.external import Credentials
from ports.external_store import OutboxRow, SyncRun

MAX_PAGE = 1000


@attrs.frozen(kw_only=True)
class CredentialsBody:
    username: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class TriggerBody:
    configId: str = "default"
    credentials: CredentialsBody | None = None


@attrs.frozen(kw_only=True)
class RequeueBody:
    configId: str
    eventGuids: list[str]


def render_run(run: SyncRun) -> dict[str, Any]:
    return {
        "runId": run.id,
        "configId": run.tenant_id,
        "system": run.system,
        "trigger": run.trigger,
        "status": run.status,
        "startedAt": format_instant(run.started_at),
        "finishedAt": None if run.finished_at is None else format_instant(run.finished_at),
        "pushed": run.pushed,
        "rejected": run.rejected,
        "pulled": run.pulled,
        "errors": [dict(e) for e in run.errors],
    }


def render_row(row: OutboxRow) -> dict[str, Any]:
    return {
        "eventGuid": row.event_guid,
        "entityGuid": row.entity_guid,
        "system": row.system,
        "op": row.op,
        "status": row.status,
        "attempts": row.attempts,
        "lastError": row.last_error,
        "updatedAt": format_instant(row.updated_at),
    }


def _paging(req: falcon.Request) -> tuple[int, int]:
    return min(query_int(req, "limit", 100), MAX_PAGE), query_int(req, "offset", 0)


class TriggerResource:
    def __init__(self, run: RunExternalSync, kit: HttpKit) -> None:
        self._run, self._kit = run, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = principal_of(req)
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        body = parse(req, self._kit.strict, TriggerBody)
        given = body.credentials
        credentials = (
            None if given is None else Credentials(username=given.username, password=given.password)
        )
        run = self._run(principal, tenant, credentials, trigger="api")
        rendered = render_run(run)
        if run.status == "failed":
            timed_out = any(e.get("kind") == "timeout" for e in run.errors)
            status = 504 if timed_out else 502
            raise Problem(
                status,
                "external-timeout" if timed_out else "external-failed",
                str(run.errors[0]["message"]) if run.errors else "the external system failed",
                extra=rendered,
            )
        resp.media = {**rendered, "status": "success" if run.status == "succeeded" else "partial",
                      "runStatus": run.status}  # fmt: skip


class AdaptersResource:
    def __init__(self, admin: ExternalSyncAdmin) -> None:
        self._admin = admin

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "adapters": [
                {
                    "name": a.name,
                    "aliases": list(a.aliases),
                    "description": a.description,
                    "push": a.can_push,
                    "pull": a.can_pull,
                }
                for a in self._admin.adapters(principal_of(req))
            ]
        }


class RunsResource:
    def __init__(self, admin: ExternalSyncAdmin, kit: HttpKit) -> None:
        self._admin, self._default = admin, kit.config.legacy_default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit, offset = _paging(req)
        runs = self._admin.runs(principal_of(req), tenant_of(req, self._default), limit, offset)
        resp.media = {"runs": [render_run(r) for r in runs]}


class RunResource:
    def __init__(self, admin: ExternalSyncAdmin) -> None:
        self._admin = admin

    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: str) -> None:
        resp.media = render_run(self._admin.run(principal_of(req), run_id))


class OutboxResource:
    def __init__(self, admin: ExternalSyncAdmin, kit: HttpKit) -> None:
        self._admin, self._default = admin, kit.config.legacy_default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit, offset = _paging(req)
        summary = self._admin.failed(
            principal_of(req), tenant_of(req, self._default), limit, offset
        )
        resp.media = {"counts": summary.counts, "failed": [render_row(r) for r in summary.rows]}


class RequeueResource:
    def __init__(self, admin: ExternalSyncAdmin, kit: HttpKit) -> None:
        self._admin, self._kit = admin, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        body = parse(req, self._kit.strict, RequeueBody)
        count = self._admin.requeue(principal_of(req), tenant, body.eventGuids[:MAX_PAGE])
        resp.media = {"requeued": count}


@attrs.frozen(kw_only=True)
class TokenBody:
    configId: str


class CallbackTokenResource:
    def __init__(self, callback: ExternalCallback, kit: HttpKit) -> None:
        self._callback, self._kit = callback, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        tenant = tenant_of(req, self._kit.config.legacy_default_tenant)
        parse(req, self._kit.strict, TokenBody)
        token = self._callback.issue_token(principal_of(req), tenant)
        resp.media = {"configId": tenant, "callbackToken": token}


class CallbackResource:
    """Public as far as our JWT goes: the caller proves itself with the callback token."""

    auth = "public"

    def __init__(self, callback: ExternalCallback) -> None:
        self._callback = callback

    def on_post(self, req: falcon.Request, resp: falcon.Response, config_id: str) -> None:
        token = req.get_header("X-Callback-Token")
        bearer = req.get_header("Authorization") or ""
        if token is None and bearer.lower().startswith("bearer "):
            token = bearer[7:].strip()
        doc = req.get_media(default_when_empty=None)
        rows = doc.get("records", doc.get("data")) if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise InvalidRequest(
                422,
                "The request body is not valid",
                [("#/records", "invalid-type", "send {records: [...]} or a JSON array")],
            )
        applied = self._callback.receive(config_id, token, rows)
        resp.media = {"received": len(rows), "applied": applied}
