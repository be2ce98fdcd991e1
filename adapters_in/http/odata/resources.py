"""``/odata/{configId}/``: a read-only OData v4 feed (JSON) that Excel and Power BI open.

Authentication is HTTP Basic with the user's e-mail and password (what those clients send);
failed checks are throttled like ``/api/users/login``, and a verified credential is remembered
briefly (``BasicCredentials``) so that a refresh reading 100 pages costs one bcrypt check and is
throttled once. Access: ADMIN, or a user granted the tenant.

Errors use OData's JSON error format, ``{"error": {"code", "message"}}``, not problem+json:
OData clients (Power BI, Excel, client libraries) read and show ``error.message`` and know
nothing of RFC 9457. A 401 carries ``WWW-Authenticate: Basic`` so that they ask for a password.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import attrs
import falcon

from adapters_in.http.odata.model import EntitySetModel, metadata_xml, models
from adapters_in.http.odata.query import BadQuery, encode_token, parse_query
from adapters_in.http.rate_limit import LoginThrottle, client_ip
from adapters_in.http.routing import HttpKit
from application.basic_credentials import BasicCredentials
from application.odata_feed import MAX_PAGE, ReadEntitySets
from domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
    ValidationFailed,
)
from domain.users import Principal
from ports.entity_scan import Comparison, EntityScan, sort_value
from ports.errors import StorageUnavailable

JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"
REALM = 'Basic realm="DataCollect OData", charset="UTF-8"'


class ODataError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _translate(error: Exception) -> ODataError:
    if isinstance(error, ODataError):
        return error
    if isinstance(error, BadQuery):
        return ODataError(error.status, "bad-query", error.message)
    if isinstance(error, Unauthenticated):
        return ODataError(401, "unauthenticated", error.message, {"WWW-Authenticate": REALM})
    if isinstance(error, TooManyAttempts):
        retry = {"Retry-After": str(error.retry_after_s)}
        return ODataError(429, "too-many-attempts", str(error), retry)
    if isinstance(error, Forbidden):
        return ODataError(403, "forbidden", error.message)
    if isinstance(error, NotFound):
        return ODataError(404, getattr(error, "code", "not-found"), error.message)
    if isinstance(error, ValidationFailed):
        return ODataError(400, "invalid", str(error))
    if isinstance(error, StorageUnavailable):
        retry = {"Retry-After": str(getattr(error, "retry_after_s", 5))}
        return ODataError(503, "unavailable", "the database is unavailable; retry later", retry)
    raise error


def _render_error(resp: falcon.Response, error: ODataError) -> None:
    resp.status = falcon.code_to_http_status(error.status)
    resp.content_type = "application/json"
    for name, value in error.headers.items():
        resp.set_header(name, value)
    resp.media = {"error": {"code": error.code, "message": error.message}}


@attrs.frozen(kw_only=True)
class ODataContext:
    sets: ReadEntitySets
    credentials: BasicCredentials
    throttle: LoginThrottle
    kit: HttpKit

    def caller(self, req: falcon.Request) -> Principal:
        header = req.get_header("Authorization") or ""
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise Unauthenticated("send your e-mail and password (HTTP Basic)")
        try:
            email, colon, password = (
                base64.b64decode(encoded, validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("malformed Basic credentials") from None
        if not colon or not email or not password or len(password.encode()) > 1024:
            raise Unauthenticated("malformed Basic credentials")
        known = self.credentials.cached(email, password)
        if known is not None:
            return known
        ip = client_ip(req, self.kit.config.trusted_proxy_count)
        self.throttle.before_attempt(email, ip)  # counted first; a success gives it back
        principal = self.credentials.verify(email, password)
        self.throttle.succeeded(email, ip)
        return principal

    def root(self, req: falcon.Request, config_id: str) -> str:
        base = (self.kit.config.public_base_url or req.prefix).rstrip("/")
        return f"{base}/odata/{quote(config_id, safe='')}"

    def models(self, req: falcon.Request, config_id: str) -> tuple[Principal, dict]:
        principal = self.caller(req)
        return principal, models(self.sets.sets(principal, config_id))


def _odata(handler: Callable[..., None]) -> Callable[..., None]:
    def wrapped(self: Any, req: falcon.Request, resp: falcon.Response, **params: str) -> None:
        resp.set_header("OData-Version", "4.0")
        resp.set_header("Cache-Control", "no-store")
        try:
            handler(self, req, resp, **params)
        except (DomainError, BadQuery, ODataError, StorageUnavailable) as error:
            _render_error(resp, _translate(error))

    return wrapped


class _Resource:
    auth = "public"  # HTTP Basic, checked here (see module docstring)

    def __init__(self, context: ODataContext) -> None:
        self._c = context


class ServiceDocumentResource(_Resource):
    @_odata
    def on_get(self, req: falcon.Request, resp: falcon.Response, config_id: str) -> None:
        _, sets = self._c.models(req, config_id)
        root = self._c.root(req, config_id)
        resp.content_type = JSON
        resp.media = {
            "@odata.context": f"{root}/$metadata",
            "value": [{"name": n, "kind": "EntitySet", "url": n} for n in sets],
        }


class MetadataResource(_Resource):
    @_odata
    def on_get(self, req: falcon.Request, resp: falcon.Response, config_id: str) -> None:
        _, sets = self._c.models(req, config_id)
        resp.content_type = "application/xml"
        resp.text = metadata_xml(list(sets.values()))


def _model(sets: dict[str, EntitySetModel], name: str) -> EntitySetModel:
    model = sets.get(name)
    if model is None:
        raise ODataError(404, "entity-set-not-found", f"no entity set {name!r}")
    return model


# ``Set('key')``: one entity by its key (OData's key-as-segment form), quotes doubled inside.
_BY_KEY = re.compile(r"^([^(]+)\('((?:[^']|'')+)'\)$")


class EntitySetResource(_Resource):
    @_odata
    def on_get(
        self, req: falcon.Request, resp: falcon.Response, config_id: str, set_name: str
    ) -> None:
        by_key = _BY_KEY.match(set_name)
        if by_key:
            guid = by_key.group(2).replace("''", "'")
            self._entity(req, resp, config_id, by_key.group(1), guid)
            return
        principal, sets = self._c.models(req, config_id)
        model = _model(sets, set_name)
        params = {k: v for k, v in req.params.items() if isinstance(v, str)}
        query = parse_query(params, model)
        limit = MAX_PAGE if query.top is None else min(query.top, MAX_PAGE)
        scan = EntityScan(
            after=query.after,
            after_value=query.after_value,
            order=query.order,
            limit=limit,
            offset=query.skip,
            filter=query.filter,
        )
        page = self._c.sets.page(principal, config_id, model.table, scan, with_count=query.count)
        root = self._c.root(req, config_id)
        body: dict[str, Any] = {"@odata.context": f"{root}/$metadata#{model.name}"}
        if query.select:
            body["@odata.context"] += f"({','.join(query.select)})"
        if page.count is not None:
            body["@odata.count"] = page.count
        body["value"] = [_selected(model.entity(row), query.select) for row in page.rows]
        more = query.top is None or query.top > limit
        if page.rows and len(page.rows) == limit and more:
            following = {k: v for k, v in params.items() if k not in ("$skip", "$skiptoken")}
            last = page.rows[-1]
            value = sort_value(last, query.order) if query.order else None
            following["$skiptoken"] = encode_token(last.guid, query.order, value)
            if query.top is not None:
                following["$top"] = str(query.top - limit)
            body["@odata.nextLink"] = f"{root}/{model.name}?{urlencode(following)}"
        resp.content_type = JSON
        resp.media = body

    def _entity(
        self, req: falcon.Request, resp: falcon.Response, config_id: str, set_name: str, guid: str
    ) -> None:
        principal, sets = self._c.models(req, config_id)
        model = _model(sets, set_name)
        params = {k: v for k, v in req.params.items() if isinstance(v, str)}
        query = parse_query({k: v for k, v in params.items() if k in ("$select", "$format")}, model)
        key = Comparison(field="guid", op="eq", value=guid)
        page = self._c.sets.page(principal, config_id, model.table, EntityScan(limit=1, filter=key))
        if not page.rows:
            raise ODataError(404, "entity-not-found", f"no entity {guid!r} in {model.name!r}")
        root = self._c.root(req, config_id)
        context = f"{root}/$metadata#{model.name}"
        if query.select:
            context += f"({','.join(query.select)})"
        resp.content_type = JSON
        resp.media = {
            "@odata.context": context + "/$entity",
            **_selected(model.entity(page.rows[0]), query.select),
        }


def _selected(entity: dict[str, Any], select: tuple[str, ...] | None) -> dict[str, Any]:
    if not select:
        return entity
    return {k: entity[k] for k in ("guid", *select)}


class EntityCountResource(_Resource):
    @_odata
    def on_get(
        self, req: falcon.Request, resp: falcon.Response, config_id: str, set_name: str
    ) -> None:
        principal, sets = self._c.models(req, config_id)
        model = _model(sets, set_name)
        params = {k: v for k, v in req.params.items() if isinstance(v, str)}
        query = parse_query({k: v for k, v in params.items() if k == "$filter"}, model)
        scan = EntityScan(limit=0, filter=query.filter)
        page = self._c.sets.page(principal, config_id, model.table, scan, with_count=True)
        resp.content_type = "text/plain"
        resp.text = str(page.count)


def register(app: falcon.App, context: ODataContext) -> None:
    app.add_route("/odata/{config_id}", ServiceDocumentResource(context))  # and ".../"
    app.add_route("/odata/{config_id}/$metadata", MetadataResource(context))
    app.add_route("/odata/{config_id}/{set_name}", EntitySetResource(context))
    app.add_route("/odata/{config_id}/{set_name}/$count", EntityCountResource(context))
