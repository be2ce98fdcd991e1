"""OpenAPI description of the audit-log routes (see ``resources/audit_logs.py``)."""

from __future__ import annotations

from adapters_in.http.openapi.common import CONFIG_ID, TOKEN, body, errors, ok, query, ref
from adapters_in.http.openapi.sync_doc import TIMESTAMP_OUT

_ENTRY_EXAMPLE = {
    "guid": "9d4c1f2a-7b3e-4f61-8c2d-5e6f7a8b9c0d",
    "timestamp": "2025-01-31T12:00:00.000Z",
    "userId": "2",
    "action": "create-individual",
    "eventGuid": "4b1d6f0e-1c52-4c4e-9a0e-2f1f5f3f7a10",
    "entityGuid": "0f9c2b1e-5d7a-4e0b-8a51-1b6c9e2d3f40",
    "changes": {"name": "Jane Doe"},
    "signature": "",
}
_TEXT = {"type": "string"}

SCHEMAS = {
    "AuditLogIn": {
        "type": "object",
        "required": ["guid", "timestamp", "action", "entityGuid"],
        "description": "`userId` and unknown members are ignored (the caller is the author).",
        "properties": {
            "guid": _TEXT,
            "timestamp": {"type": "string", "description": "RFC 3339 with Z or an offset"},
            "action": _TEXT,
            "entityGuid": _TEXT,
            "eventGuid": _TEXT,
            "changes": {"type": "object"},
            "signature": _TEXT,
        },
    },
    "AuditLogEntry": {
        "type": "object",
        "required": ["guid", "timestamp", "userId", "action", "eventGuid", "entityGuid", "changes"],
        "properties": {
            "guid": _TEXT,
            "timestamp": TIMESTAMP_OUT,
            "userId": _TEXT,
            "action": _TEXT,
            "eventGuid": _TEXT,
            "entityGuid": _TEXT,
            "changes": {"type": "object"},
            "signature": _TEXT,
        },
    },
}

PATHS = {
    "/api/sync/push/audit-logs": {
        "post": {
            "tags": ["sync"],
            "summary": "Store device audit-log entries (compat)",
            "security": TOKEN,
            "x-access": "tenant",
            "parameters": [CONFIG_ID],
            "requestBody": body(
                {
                    "type": "object",
                    "required": ["auditLogs"],
                    "properties": {
                        "auditLogs": {"type": "array", "items": ref("AuditLogIn")},
                        "configId": {"type": "string", "minLength": 1},
                    },
                },
                {"auditLogs": [_ENTRY_EXAMPLE], "configId": "default"},
            ),
            "responses": {
                "200": ok(
                    "Stored",
                    {
                        "type": "object",
                        "required": ["status", "accepted"],
                        "properties": {"status": _TEXT, "accepted": {"type": "integer"}},
                    },
                    {"status": "success", "accepted": 1},
                ),
                **errors(400, 401, 403, 404, 411, 413, 415, 422, 503),
            },
        }
    },
    "/api/sync/pull/audit-logs": {
        "get": {
            "tags": ["sync"],
            "summary": "Audit-log entries after `since`, oldest first, paged (compat)",
            "security": TOKEN,
            "x-access": "tenant",
            "parameters": [
                query(
                    "since",
                    _TEXT,
                    "Empty: from the start. An ISO timestamp, or the `X-Next-Cursor` of the "
                    "previous page.",
                    "",
                ),
                CONFIG_ID,
                query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "Page size"),
            ],
            "responses": {
                "200": {
                    "description": "Entries (a bare array, as upstream)",
                    "headers": {
                        "X-Next-Cursor": {
                            "schema": _TEXT,
                            "description": "Present when more entries follow: the next `since`",
                        }
                    },
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": ref("AuditLogEntry")},
                            "example": [_ENTRY_EXAMPLE],
                        }
                    },
                },
                **errors(400, 401, 403, 404, 503),
            },
        }
    },
}
