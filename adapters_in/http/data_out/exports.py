"""``GET /api/apps/{id}/export?format=csv|ndjson|xlsx``: a tenant's entities as a download."""

from __future__ import annotations

import falcon

from adapters_in.export_formats import FORMATS, WRITERS
from adapters_in.http.parsing import InvalidRequest, principal_of
from application.exports import ExportEntities, ExportOptions
from domain.timestamps import parse_instant

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _bad(name: str, detail: str) -> InvalidRequest:
    return InvalidRequest(400, detail, [(f"#/{name}", "invalid-parameter", detail)])


def export_options(req: falcon.Request) -> ExportOptions:
    since_text = req.get_param("updatedSince")
    since = None
    if since_text:
        since = parse_instant(since_text)
        if since is None:
            raise _bad("updatedSince", "'updatedSince' must be an RFC 3339 timestamp")
    types = req.get_param("type")
    tables = tuple(t.strip() for t in types.split(",") if t.strip()) if types else None
    deleted_text = (req.get_param("includeDeleted") or "false").lower()
    if deleted_text not in _BOOLEANS:
        raise _bad("includeDeleted", "'includeDeleted' must be true or false")
    return ExportOptions(
        updated_since=since, tables=tables or None, include_deleted=_BOOLEANS[deleted_text]
    )


class ExportResource:
    def __init__(self, export: ExportEntities) -> None:
        self._export = export

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        kind = req.get_param("format") or "csv"
        if kind not in FORMATS:
            raise _bad("format", "'format' must be csv, ndjson or xlsx")
        export = self._export(principal_of(req), tenant_id, export_options(req))
        media_type, extension = FORMATS[kind]
        resp.content_type = media_type
        resp.downloadable_as = f"{tenant_id}-entities.{extension}"
        resp.set_header("Cache-Control", "no-store")
        resp.stream = WRITERS[kind](export)
