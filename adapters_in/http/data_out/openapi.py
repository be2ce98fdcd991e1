"""OpenAPI path items of the data-out routes (exports; the OData feed)."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import TOKEN, errors, path, query

_APP_ID = path("id", "App configuration id", "field-demo")
_EXPORT_EXAMPLE = (
    '{"table":"household","guid":"h-1","type":"group","entityName":"household",'
    '"name":"Smith","version":3,"createdAt":"2025-01-01T09:00:00.000Z",'
    '"updatedAt":"2025-01-02T10:00:00.000Z","deleted":false,"memberIds":["p-1"],'
    '"data":{"entityName":"household","name":"Smith","size":4}}\n'
)

PATHS: dict[str, Any] = {
    "/api/apps/{id}/export": {
        "parameters": [_APP_ID],
        "get": {
            "tags": ["data out"],
            "summary": "Export the tenant's current entities (ADMIN, or a user granted it)",
            "description": "Streamed. `csv`: a zip with one `<table>.csv` per entity form, "
            "`other.csv` (entities of forms not in the configuration) and `memberships.csv` "
            "(group, member, position). Columns: metadata, the form's fields (nested ones "
            "with dotted names), and `extra` (JSON of fields the form does not define). "
            "`ndjson`: one entity per line. `xlsx`: one sheet per table.",
            "security": TOKEN,
            "x-access": "tenant",
            "parameters": [
                query(
                    "format",
                    {"type": "string", "enum": ["csv", "ndjson", "xlsx"], "default": "csv"},
                    "File format",
                    "csv",
                ),
                query(
                    "updatedSince",
                    {"type": "string", "format": "date-time"},
                    "Only entities updated at or after this instant",
                    "2025-01-01T00:00:00.000Z",
                ),
                query(
                    "type",
                    {"type": "string"},
                    "Only these tables (comma-separated form names, `other`, `memberships`)",
                    "household,memberships",
                ),
                query(
                    "includeDeleted",
                    {"type": "boolean", "default": False},
                    "Also export deleted entities (their `deleted` column is true)",
                    False,
                ),
            ],
            "responses": {
                "200": {
                    "description": "The export",
                    "headers": {
                        "Content-Disposition": {
                            "schema": {"type": "string"},
                            "description": "attachment; filename=<id>-entities.<zip|ndjson|xlsx>",
                        }
                    },
                    "content": {
                        "application/zip": {"schema": {"type": "string", "format": "binary"}},
                        "application/x-ndjson": {
                            "schema": {"type": "string"},
                            "example": _EXPORT_EXAMPLE,
                        },
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                **errors(400, 401, 403, 404, 422),
            },
        },
    },
}
