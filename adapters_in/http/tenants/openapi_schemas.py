"""OpenAPI component schemas of the tenant and review routes."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import ref

_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"}
_NULLABLE_TIME = {"anyOf": [_TIME, {"type": "null"}]}
_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}


def _object(required: list[str], properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties, **extra}


SCHEMAS: dict[str, Any] = {
    "AppConfig": _object(
        ["id", "name", "entityForms"],
        {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]*$", "maxLength": 100},
            "name": {"type": "string", "minLength": 1},
            "description": _NULLABLE_STR,
            "version": _NULLABLE_STR,
            "url": _NULLABLE_STR,
            "artifactId": {"type": "string", "readOnly": True},
            "createdAt": {**_NULLABLE_TIME, "readOnly": True},
            "updatedAt": {**_NULLABLE_TIME, "readOnly": True},
            "roles": {
                "description": "Read by the mobile app. An update that omits `roles` or "
                "`entityData` keeps the stored value; an explicit value replaces it."
            },
            "entityForms": {
                "type": "array",
                "items": _object(["name", "formio"], {"name": _STR, "formio": {"type": "object"}}),
            },
            "entityData": {
                "type": ["array", "null"],
                "items": _object(
                    ["name", "data"],
                    {"name": _STR, "data": {"type": "array", "items": {"type": "object"}}},
                ),
            },
            "externalSync": {
                "type": ["object", "null"],
                "description": "Secrets come back as `***`",
            },
            "authConfigs": {"type": ["array", "null"], "items": {"type": "object"}},
        },
        description="An app configuration. Unknown top-level members (e.g. `roles`) are kept. "
        'Secrets are never returned (`"***"`, and a URL\'s `user:password@` as `***@`); sending '
        '`"***"` back keeps the stored value.',
    ),
    "AppSummary": _object(
        ["id", "artifactId", "name", "version", "externalSync", "entitiesCount", "description"],
        {
            "id": _STR,
            "artifactId": _STR,
            "name": _STR,
            "version": _STR,
            "externalSync": {"type": "object"},
            "entitiesCount": {"type": "integer"},
            "description": _STR,
            "createdAt": _NULLABLE_TIME,
            "updatedAt": _NULLABLE_TIME,
        },
    ),
    "AppList": _object(
        ["data", "meta"],
        {
            "data": {"type": "array", "items": ref("AppSummary")},
            "meta": _object(
                ["total", "page", "pageSize", "totalPages", "sortBy", "sortOrder", "search"],
                {
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "pageSize": {"type": "integer"},
                    "totalPages": {"type": "integer"},
                    "sortBy": _STR,
                    "sortOrder": {"type": "string", "enum": ["asc", "desc"]},
                    "search": _STR,
                },
            ),
        },
    ),
    "AppSaved": _object(
        ["status", "artifactId"],
        {"status": {"type": "string", "enum": ["success"]}, "artifactId": _STR},
    ),
    "Status": _object(["status"], {"status": {"type": "string", "enum": ["success"]}}),
    "Entity": _object(
        ["guid", "id", "name", "entityName", "type", "data", "lastUpdated"],
        {
            "guid": _STR,
            "id": _STR,
            "name": _STR,
            "entityName": {"type": ["string", "null"]},
            "type": {"type": "string", "enum": ["group", "individual"]},
            "data": {"type": "object"},
            "lastUpdated": _TIME,
        },
    ),
    "EntityDetail": {
        "allOf": [
            ref("Entity"),
            _object(
                ["version"],
                {
                    "version": {"type": "integer"},
                    "memberIds": {"type": "array", "items": _STR},
                    "members": {"type": "array", "items": ref("Entity")},
                    "memberCount": {"type": "integer"},
                    "missing": {"type": "array", "items": _STR},
                },
            ),
        ]
    },
    "PotentialDuplicate": _object(
        ["entityGuid", "duplicateGuid", "score", "reasons", "status"],
        {
            "entityGuid": _STR,
            "duplicateGuid": _STR,
            "score": {"type": "number"},
            "reasons": {"type": "array", "items": _STR},
            "status": {"type": "string", "enum": ["pending", "kept-both", "deleted"]},
            "detectedAt": _NULLABLE_TIME,
            "resolvedAt": _NULLABLE_TIME,
        },
    ),
    "ResolveDuplicateRequest": _object(
        ["newItem", "existingItem"],
        {
            "newItem": {"type": "string", "minLength": 1},
            "existingItem": {"type": "string", "minLength": 1},
            "shouldDeleteNewItem": {"type": "boolean", "default": False},
            "configId": {"type": "string", "minLength": 1},
        },
        additionalProperties=False,
    ),
    "ServerEventIssued": _object(
        ["status", "eventGuid"],
        {"status": {"type": "string", "enum": ["success"]}, "eventGuid": _STR},
    ),
    "Conflict": _object(
        ["id", "entityGuid", "kind", "field", "status"],
        {
            "id": _STR,
            "entityGuid": _STR,
            "kind": {
                "type": "string",
                "enum": ["concurrent-update", "update-after-delete", "inapplicable-in-order"],
            },
            "field": {"type": ["string", "null"]},
            "winnerEventGuid": _STR,
            "loserEventGuid": _STR,
            "winnerValue": {},
            "loserValue": {},
            "rule": _STR,
            "status": {"type": "string", "enum": ["open", "resolved"]},
            "resolution": {"type": ["string", "null"]},
            "detectedAt": _NULLABLE_TIME,
            "resolvedAt": _NULLABLE_TIME,
            "resolvedBy": {"type": ["string", "null"]},
        },
    ),
    "ResolveConflictRequest": _object(
        ["resolution"],
        {
            "resolution": {"type": "string", "enum": ["keep", "apply-other"]},
            "configId": {"type": "string", "minLength": 1},
        },
        additionalProperties=False,
    ),
    "ConflictResolved": _object(
        ["conflict", "eventGuid"],
        {"conflict": ref("Conflict"), "eventGuid": {"type": ["string", "null"]}},
    ),
}
