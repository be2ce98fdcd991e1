"""OpenAPI path items of the tenant and review routes."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import (
    CONFIG_ID,
    PUBLIC,
    errors,
    ok,
    path,
    query,
    ref,
    token_operation,
)

_INT = {"type": "integer", "minimum": 0}
_STR = {"type": "string"}
_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["config"],
                "properties": {"config": {"type": "string", "format": "binary"}},
            },
            "encoding": {"config": {"contentType": "application/json"}},
        },
        "application/json": {"schema": ref("AppConfig")},
    },
}
_APP_ID = path("id", "App configuration id", "field-demo")

_op = token_operation


def _list(schema: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(schema)}


def _artifact(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "tags": ["artifacts"],
            "summary": f"Public artifact ({kind}) of an app configuration, without secrets",
            "security": PUBLIC,
            "x-access": "public",
            "parameters": [path("artifactId", "32 hex characters", "0" * 32)],
            "responses": {
                "200": {"description": kind, "content": content},
                "304": {"description": "Not modified (If-None-Match)"},
                **errors(404),
            },
        }
    }


PATHS: dict[str, Any] = {
    "/api/apps": {
        "get": _op(
            "apps",
            "any",
            "List app configurations (a USER sees only granted ones)",
            {"200": ok("One page", ref("AppList")), **errors(401)},
            parameters=[
                query("page", {"type": "integer"}, "1-based, clamped to totalPages"),
                query("pageSize", {"type": "integer"}, "Clamped to 1..100 (default 12)"),
                query("sortBy", _STR, "name (default), id, entitiesCount"),
                query("sortOrder", {"type": "string", "enum": ["asc", "desc"]}, "asc or desc"),
                query("search", _STR, "Substring of name, id or version (case-insensitive)"),
            ],
        ),
        "post": _op(
            "apps",
            "admin",
            "Create an app configuration (admin); seeds entityData",
            {"201": ok("Created", ref("AppSaved")), **errors(400, 401, 403, 409, 415, 422)},
            requestBody=_UPLOAD,
        ),
    },
    "/api/apps/{id}": {
        "parameters": [_APP_ID],
        "get": _op(
            "apps",
            "tenant",
            "One app configuration (secrets masked)",
            {"200": ok("The document", ref("AppConfig")), **errors(401, 403, 404)},
        ),
        "put": _op(
            "apps",
            "admin",
            "Replace an app configuration (admin); keeps artifactId and `***` secrets",
            {"200": ok("Saved", ref("AppSaved")), **errors(400, 401, 403, 404, 415, 422)},
            requestBody=_UPLOAD,
        ),
        "delete": _op(
            "apps",
            "admin",
            "Delete an app configuration and all its data (admin)",
            {"200": ok("Deleted", ref("Status")), **errors(401, 403, 404)},
        ),
    },
    "/artifacts/{artifactId}.json": _artifact(
        "configuration JSON", {"application/json": {"schema": ref("AppConfig")}}
    ),
    "/artifacts/{artifactId}.png": _artifact(
        "QR code of the JSON URL", {"image/png": {"schema": {"type": "string"}}}
    ),
    "/api/entities": {
        "get": _op(
            "entities",
            "tenant",
            "Entities, newest first",
            {"200": ok("Entities", _list("Entity")), **errors(400, 401, 403, 404)},
            parameters=[
                CONFIG_ID,
                query("limit", {"type": "integer", "minimum": 0}, "At most 1000 (default 100)"),
                query("offset", _INT, "Skip this many"),
                query("entityName", {"type": "string"}, "Only this form (data.entityName)"),
                query("type", {"type": "string", "enum": ["group", "individual"]}, "Entity type"),
            ],
        )
    },
    "/api/entities/count": {
        "get": _op(
            "entities",
            "tenant",
            "Number of live entities",
            {
                "200": ok("Count", {"type": "object", "properties": {"count": _INT}}),
                **errors(401, 403, 404),
            },
            parameters=[CONFIG_ID],
        )
    },
    "/api/entities/count-by-form": {
        "get": _op(
            "entities",
            "tenant",
            "Live entities per entityName",
            {
                "200": ok("Counts", {"type": "object", "additionalProperties": _INT}),
                **errors(401, 403, 404),
            },
            parameters=[CONFIG_ID],
        )
    },
    "/api/entities/{guid}": {
        "get": _op(
            "entities",
            "tenant",
            "One entity (groups with members); ETag = version",
            {
                "200": ok("The entity", ref("EntityDetail")),
                "304": {"description": "Not modified (If-None-Match)"},
                **errors(401, 403, 404),
            },
            parameters=[path("guid", "Entity guid", "village-north"), CONFIG_ID],
        )
    },
    "/api/entities/{guid}/events": {
        "get": _op(
            "entities",
            "tenant",
            "Events of one entity, oldest first",
            {"200": ok("Events", _list("Event")), **errors(400, 401, 403, 404)},
            parameters=[path("guid", "Entity guid", "village-north"), CONFIG_ID],
        )
    },
}
