"""``/api/entities``: read-only entity views (JWT; the tenant is ``configId``)."""

from __future__ import annotations

import falcon

from adapters_in.http.parsing import InvalidRequest, principal_of, query_int, tenant_of
from adapters_in.http.tenants import render
from adapters_in.http.tenants.caching import not_modified
from adapters_in.http.wire_events import render_event
from application.entities import (
    CountEntities,
    CountEntitiesByForm,
    EntityEvents,
    GetEntity,
    ListEntities,
)
from ports.repositories import EntityQuery

TYPES = ("group", "individual")


class EntitiesResource:
    def __init__(self, list_entities: ListEntities, default_tenant: str) -> None:
        self._list, self._default = list_entities, default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        kind = req.get_param("type") or None
        if kind is not None and kind not in TYPES:
            detail = "'type' must be 'group' or 'individual'"
            raise InvalidRequest(400, detail, [("#", "invalid-parameter", detail)])
        query = EntityQuery(
            limit=query_int(req, "limit", 100),
            offset=query_int(req, "offset", 0),
            entity_name=req.get_param("entityName") or None,
            type=kind,
        )
        found = self._list(principal_of(req), tenant_of(req, self._default), query)
        resp.media = [render.entity(e) for e in found]


class EntityCountResource:
    def __init__(self, count: CountEntities, default_tenant: str) -> None:
        self._count, self._default = count, default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"count": self._count(principal_of(req), tenant_of(req, self._default))}


class EntityCountByFormResource:
    def __init__(self, count: CountEntitiesByForm, default_tenant: str) -> None:
        self._count, self._default = count, default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._count(principal_of(req), tenant_of(req, self._default))


class EntityResource:
    def __init__(self, get: GetEntity, default_tenant: str) -> None:
        self._get, self._default = get, default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response, guid: str) -> None:
        detail = self._get(principal_of(req), tenant_of(req, self._default), guid)
        if not not_modified(req, resp, f'"{detail.entity.version}"'):
            resp.media = render.entity_detail(detail)


class EntityEventsResource:
    def __init__(self, events: EntityEvents, default_tenant: str) -> None:
        self._events, self._default = events, default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response, guid: str) -> None:
        limit = query_int(req, "limit", 5000)
        found = self._events(principal_of(req), tenant_of(req, self._default), guid, limit)
        resp.media = [render_event(e) for e in found]
