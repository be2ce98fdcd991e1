"""``/api/apps``: app configurations (tenants). Reads need a JWT, writes need an admin."""

from __future__ import annotations

import re

import falcon

from adapters_in.http.parsing import principal_of
from adapters_in.http.tenants import render
from adapters_in.http.tenants.upload import uploaded_config
from application.tenant_reads import AppListRequest, GetTenant, ListTenants
from application.tenants import CreateTenant, DeleteTenant, UpdateTenant

_INT = re.compile(r"^\s*-?\d{1,9}")


def _lenient_int(req: falcon.Request, name: str, default: int) -> int:
    """Upstream used ``parseInt``: garbage falls back to the default, never an error."""
    match = _INT.match(req.get_param(name) or "")
    return int(match.group(0)) if match else default


class TenantsResource:
    def __init__(self, list_apps: ListTenants, create: CreateTenant) -> None:
        self._list, self._create = list_apps, create

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        request = AppListRequest(
            page=_lenient_int(req, "page", 1),
            page_size=_lenient_int(req, "pageSize", 12),
            sort_by=req.get_param("sortBy") or "name",
            sort_order=req.get_param("sortOrder") or "asc",
            search=req.get_param("search") or "",
        )
        resp.media = render.app_page(self._list(principal_of(req), request))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        saved = self._create(principal_of(req), uploaded_config(req))
        resp.status = falcon.HTTP_201
        resp.location = f"/api/apps/{saved.tenant_id}"
        resp.media = {"status": "success", "artifactId": saved.artifact_id}


class TenantResource:
    def __init__(self, get: GetTenant, update: UpdateTenant, delete: DeleteTenant) -> None:
        self._get, self._update, self._delete = get, update, delete

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        resp.media = self._get(principal_of(req), tenant_id)

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        saved = self._update(principal_of(req), tenant_id, uploaded_config(req))
        resp.media = {"status": "success", "artifactId": saved.artifact_id}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        self._delete(principal_of(req), tenant_id)
        resp.media = {"status": "success"}
