"""OpenAPI path items and schemas of the external-sync routes. ``x-access`` says who may call:
``admin`` (an ADMIN token), ``any`` (any valid token) or ``callback-token`` (the external
system, with the tenant's callback token); docs/hardening.md lists every kind."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import (
    CONFIG_ID,
    PUBLIC,
    TOKEN,
    body,
    errors,
    ok,
    path,
    query,
    ref,
)

_INT = {"type": "integer", "minimum": 0}
_PAGING = [query("limit", _INT, "At most 1000 (default 100)"), query("offset", _INT, "Skip")]
_RUN_EXAMPLE = {
    "runId": "6f1c2d3e-0000-4000-8000-000000000001",
    "configId": "default",
    "system": "openspp",
    "trigger": "api",
    "status": "succeeded",
    "startedAt": "2025-03-01T12:00:00.000Z",
    "finishedAt": "2025-03-01T12:00:04.250Z",
    "pushed": 42,
    "rejected": 0,
    "pulled": 7,
    "errors": [],
}


def _op(summary: str, access: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "tags": ["external"],
        "summary": summary,
        "security": PUBLIC if access == "callback-token" else TOKEN,
        "x-access": access,
        "responses": responses,
        **extra,
    }


SCHEMAS: dict[str, Any] = {
    "ExternalSyncRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "configId": {"type": "string", "minLength": 1},
            "credentials": {
                "type": "object",
                "additionalProperties": False,
                "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                "description": "Used for this run only; never stored or logged",
            },
        },
    },
    "ExternalSyncRun": {
        "type": "object",
        "required": ["runId", "configId", "system", "status", "pushed", "rejected", "pulled"],
        "properties": {
            "runId": {"type": "string"},
            "configId": {"type": "string"},
            "system": {"type": "string"},
            "trigger": {"type": "string", "enum": ["api", "cli", "schedule"]},
            "status": {"type": "string"},
            "runStatus": {"type": "string", "enum": ["running", "succeeded", "partial", "failed"]},
            "startedAt": {"type": "string", "format": "date-time"},
            "finishedAt": {"type": ["string", "null"], "format": "date-time"},
            "pushed": {"type": "integer"},
            "rejected": {"type": "integer"},
            "pulled": {"type": "integer"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"kind": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "ExternalOutboxRow": {
        "type": "object",
        "properties": {
            "eventGuid": {"type": "string"},
            "entityGuid": {"type": "string"},
            "system": {"type": "string"},
            "op": {"type": "string", "enum": ["create", "update", "delete", "link", "unlink"]},
            "status": {"type": "string", "enum": ["dead", "rejected"]},
            "attempts": {"type": "integer"},
            "lastError": {"type": ["string", "null"]},
            "updatedAt": {"type": "string", "format": "date-time"},
        },
    },
    "ExternalRequeueRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["configId", "eventGuids"],
        "properties": {
            "configId": {"type": "string", "minLength": 1},
            "eventGuids": {"type": "array", "items": {"type": "string"}, "maxItems": 1000},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/sync/external": {
        "post": _op(
            "Run the tenant's external sync now (push the outbox, then pull) - admin",
            "admin",
            {
                "200": ok(
                    "The run finished (status success, or partial when some rows failed)",
                    ref("ExternalSyncRun"),
                    {**_RUN_EXAMPLE, "status": "success", "runStatus": "succeeded"},
                ),
                **errors(400, 401, 403, 404, 409, 422, 502, 504),
            },
            requestBody=body(
                ref("ExternalSyncRequest"),
                {"configId": "default", "credentials": {"username": "u", "password": "p"}},
            ),
        )
    },
    "/api/sync/external/adapters": {
        "get": _op(
            "Installed external-system adapters (built-ins and plug-ins)",
            "any",
            {
                "200": ok(
                    "Adapters",
                    {"type": "object", "properties": {"adapters": {"type": "array"}}},
                    {
                        "adapters": [
                            {
                                "name": "openfn",
                                "aliases": ["openfn-adapter"],
                                "description": "OpenFn Lightning webhook",
                                "push": True,
                                "pull": False,
                            }
                        ]
                    },
                ),
                **errors(401),
            },
        )
    },
    "/api/sync/external/runs": {
        "get": _op(
            "The tenant's external sync runs, newest first - admin",
            "admin",
            {
                "200": ok(
                    "Runs",
                    {
                        "type": "object",
                        "properties": {"runs": {"type": "array", "items": ref("ExternalSyncRun")}},
                    },
                    {"runs": [_RUN_EXAMPLE]},
                ),
                **errors(400, 401, 403, 404),
            },
            parameters=[CONFIG_ID, *_PAGING],
        )
    },
    "/api/sync/external/runs/{run_id}": {
        "get": _op(
            "One external sync run - admin",
            "admin",
            {"200": ok("Run", ref("ExternalSyncRun"), _RUN_EXAMPLE), **errors(401, 403, 404)},
            parameters=[path("run_id", "Run id", _RUN_EXAMPLE["runId"])],
        )
    },
    "/api/sync/external/outbox": {
        "get": _op(
            "Outbox rows that failed for good (dead, rejected) and counts by status - admin",
            "admin",
            {
                "200": ok(
                    "Failed rows",
                    {
                        "type": "object",
                        "properties": {
                            "counts": {"type": "object"},
                            "failed": {"type": "array", "items": ref("ExternalOutboxRow")},
                        },
                    },
                    {"counts": {"done": 40, "dead": 1}, "failed": []},
                ),
                **errors(400, 401, 403, 404),
            },
            parameters=[CONFIG_ID, *_PAGING],
        )
    },
    "/api/sync/external/outbox/requeue": {
        "post": _op(
            "Put dead or rejected outbox rows back in the queue - admin",
            "admin",
            {
                "200": ok(
                    "How many rows were re-queued",
                    {"type": "object", "properties": {"requeued": {"type": "integer"}}},
                    {"requeued": 1},
                ),
                **errors(400, 401, 403, 404, 422),
            },
            requestBody=body(
                ref("ExternalRequeueRequest"), {"configId": "default", "eventGuids": ["e-1"]}
            ),
        )
    },
    "/api/sync/external/callback-token": {
        "post": _op(
            "Issue a new callback token for the tenant's external system (shown once) - admin",
            "admin",
            {
                "200": ok(
                    "The token; only its sha256 is stored",
                    {
                        "type": "object",
                        "properties": {
                            "configId": {"type": "string"},
                            "callbackToken": {"type": "string"},
                        },
                    },
                    {"configId": "default", "callbackToken": "0f3c..."},
                ),
                **errors(400, 401, 403, 404, 409, 422),
            },
            requestBody=body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["configId"],
                    "properties": {"configId": {"type": "string", "minLength": 1}},
                },
                {"configId": "default"},
            ),
        )
    },
    "/api/sync/external/callback/{config_id}": {
        "post": _op(
            "Records sent back by the external system (an OpenFn job); authenticated by the "
            "tenant's callback token in X-Callback-Token (or Authorization: Bearer)",
            "callback-token",
            {
                "200": ok(
                    "Applied like a pull (a repeated record is a no-op)",
                    {
                        "type": "object",
                        "properties": {
                            "received": {"type": "integer"},
                            "applied": {"type": "integer"},
                        },
                    },
                    {"received": 1, "applied": 1},
                ),
                **errors(400, 401, 413, 422),
            },
            parameters=[
                path("config_id", "The tenant", "default"),
                {
                    "name": "X-Callback-Token",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "The callback token",
                },
            ],
            requestBody=body(
                {
                    "type": "object",
                    "properties": {
                        "records": {
                            "type": "array",
                            "maxItems": 1000,
                            "items": {
                                "type": "object",
                                "required": ["id"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "timestamp": {"type": "string", "format": "date-time"},
                                    "type": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                {
                    "records": [
                        {"id": "r-1", "timestamp": "2025-03-01T12:00:00.000Z", "name": "Ana"}
                    ]
                },
            ),
        )
    },
}
