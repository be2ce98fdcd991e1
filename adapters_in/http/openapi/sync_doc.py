"""OpenAPI description of /api/sync (see ``resources/sync.py``)."""

from __future__ import annotations

from adapters_in.http.openapi.common import CONFIG_ID, SYNC, TOKEN, body, errors, ok, query, ref

TAGS = [{"name": "sync", "description": "Device sync: push events, pull the tenant feed"}]
TIMESTAMP_OUT = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
    "description": "UTC, always 3 fractional digits (the client compares them as strings)",
}
_EVENT_EXAMPLE = {
    "guid": "4b1d6f0e-1c52-4c4e-9a0e-2f1f5f3f7a10",
    "entityGuid": "0f9c2b1e-5d7a-4e0b-8a51-1b6c9e2d3f40",
    "type": "create-individual",
    "data": {"name": "Jane Doe", "age": 31},
    "timestamp": "2025-01-31T12:00:00.000Z",
    "userId": "enumerator-7",
    "syncLevel": 1,
}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": 1000}

SCHEMAS = {
    "Event": {
        "type": "object",
        "additionalProperties": False,
        "required": ["guid", "entityGuid", "type", "data", "timestamp", "userId", "syncLevel"],
        "properties": {
            "guid": {"type": "string"},
            "entityGuid": {"type": "string"},
            "type": {"type": "string"},
            "data": {"type": "object"},
            "timestamp": TIMESTAMP_OUT,
            "userId": {"type": "string"},
            "syncLevel": {"type": "integer"},
        },
    },
    "PushRequest": {
        "type": "object",
        "required": ["events"],
        "description": "Unknown members are ignored (the client sends extra ones).",
        "properties": {
            "events": {
                "type": "array",
                "maxItems": 1000,
                "description": "Events as the device stores them; an element that is not a "
                "valid event is rejected on its own and never fails the batch.",
                "items": {},
            },
            "configId": {"type": "string", "minLength": 1},
        },
    },
    "EventResult": {
        "type": "object",
        "required": ["guid", "status"],
        "properties": {
            "guid": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["applied", "duplicate", "rejected"]},
            "code": {"type": "string", "examples": ["invalid-timestamp", "guid-reuse"]},
            "message": {"type": "string"},
        },
    },
    "PushResponse": {
        "type": "object",
        "required": ["status", "results", "applied", "duplicates", "rejected"],
        "properties": {
            "status": {"type": "string", "enum": ["success", "partial"]},
            "results": {"type": "array", "items": ref("EventResult")},
            "applied": {"type": "integer"},
            "duplicates": {"type": "integer"},
            "rejected": {"type": "integer"},
        },
    },
    "PullResponse": {
        "type": "object",
        "required": ["events", "nextCursor", "checkpoint"],
        "properties": {
            "events": {"type": "array", "items": ref("Event")},
            "nextCursor": {
                "type": ["string", "null"],
                "description": "Pass back as `since`; null on the last page (always present).",
            },
            "checkpoint": {"type": "string", "description": "The position after this page."},
        },
    },
    "RejectedEvent": {
        "type": "object",
        "required": ["guid", "code", "message", "receivedAt", "attempts"],
        "properties": {
            "guid": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "receivedAt": TIMESTAMP_OUT,
            "pushedBy": {"type": ["string", "null"]},
            "attempts": {"type": "integer"},
            "event": {"description": "the event exactly as it was pushed"},
        },
    },
}

PATHS = {
    "/api/sync/push": {
        "post": {
            "tags": ["sync"],
            "summary": "Push a batch of events (one transaction, one result per event)",
            "description": "200 even when some events are rejected (compat: the client treats "
            "any non-2xx as a failed chunk). `configId` from the body, else the query.",
            "security": SYNC,
            "x-access": "tenant",
            "parameters": [CONFIG_ID],
            "requestBody": body(
                ref("PushRequest"), {"events": [{**_EVENT_EXAMPLE, "id": 1}], "configId": "default"}
            ),
            "responses": {
                "200": ok("Per-event results", ref("PushResponse")),
                **errors(400, 401, 403, 404, 411, 413, 415, 422, 503),
            },
        }
    },
    "/api/sync/pull": {
        "get": {
            "tags": ["sync"],
            "summary": "One page of the tenant's feed, in commit order",
            "security": SYNC,
            "x-access": "tenant",
            "parameters": [
                query(
                    "since",
                    {"type": "string"},
                    "Empty: from the start. A `nextCursor`/`checkpoint`, or (legacy) an ISO "
                    "timestamp.",
                    "",
                ),
                CONFIG_ID,
                query("limit", _LIMIT, "Page size (default 100)", 100),
            ],
            "responses": {
                "200": ok(
                    "A page",
                    ref("PullResponse"),
                    {
                        "events": [_EVENT_EXAMPLE],
                        "nextCursor": None,
                        "checkpoint": "c1_1_abcdef0123",
                    },
                ),
                **errors(400, 401, 403, 404, 503),
            },
        }
    },
    "/api/sync/rejected": {
        "get": {
            "tags": ["sync"],
            "summary": "Quarantined (rejected) events of a tenant, newest first (admin)",
            "security": TOKEN,
            "x-access": "admin",
            "parameters": [
                CONFIG_ID,
                query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "Page size"),
                query("offset", {"type": "integer", "minimum": 0}, "Items to skip"),
            ],
            "responses": {
                "200": ok(
                    "Rejected events",
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {"type": "array", "items": ref("RejectedEvent")},
                            "total": {"type": "integer"},
                        },
                    },
                ),
                **errors(400, 401, 403, 404, 503),
            },
        }
    },
    "/api/sync/pull/callback": {
        "get": {
            "tags": ["sync"],
            "summary": "Compat placeholder (upstream answers 'not implemented')",
            "security": SYNC,
            "x-access": "tenant",
            "parameters": [CONFIG_ID],
            "responses": {
                "200": ok(
                    "Always the same",
                    {"type": "object", "properties": {"status": {"type": "string"}}},
                    {"status": "not implemented"},
                ),
                **errors(401, 403, 404, 503),
            },
        }
    },
}
