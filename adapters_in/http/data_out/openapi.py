"""OpenAPI path items of the data-out routes (exports; the OData feed)."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import BASIC, TOKEN, errors, path, query, ref

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


def _odata(summary: str, content: dict[str, Any], *extra_params: dict[str, Any]) -> dict:
    odata_errors = {
        str(status): {
            "description": text,
            "content": {"application/json": {"schema": ref("ODataError")}},
        }
        for status, text in (
            (400, "Unsupported or malformed query option"),
            (401, "Missing or wrong e-mail/password (WWW-Authenticate: Basic)"),
            (403, "Not granted this tenant"),
            (404, "No such tenant, entity set or entity"),
            (429, "Too many failed attempts; retry after Retry-After seconds"),
            (501, "A system query option this feed does not implement"),
        )
    }
    return {
        "parameters": [path("configId", "App configuration id", "field-demo"), *extra_params],
        "get": {
            "tags": ["odata"],
            "summary": summary,
            "security": BASIC,
            "x-access": "tenant",
            "responses": {"200": {"description": "OK", "content": content}, **odata_errors},
        },
    }


_SET = path(
    "entitySet",
    "An entity set (a form name, or `other`); `person('p-1')` reads one entity by its guid "
    "(quotes inside doubled; only $select applies; 404 when the set has no such entity)",
    "person",
)
_ODATA_JSON = "application/json"
_COLLECTION_EXAMPLE = {
    "@odata.context": "https://sync.example.org/odata/field-demo/$metadata#person",
    "value": [
        {
            "guid": "p-1",
            "type": "individual",
            "entityName": "person",
            "name": "Ann",
            "version": 2,
            "createdAt": "2025-01-01T09:00:00.000Z",
            "updatedAt": "2025-01-02T10:00:00.000Z",
            "memberIds": [],
            "age": 34,
            "address_city": "Lyon",
            "extra": None,
        }
    ],
    "@odata.nextLink": "https://sync.example.org/odata/field-demo/person?%24skiptoken=WyJwLTEiXQ",
}
_QUERY = [
    query("$top", {"type": "integer", "minimum": 0}, "At most this many (pages of 1,000)", 100),
    query("$skip", {"type": "integer", "minimum": 0}, "Skip this many", 0),
    query("$count", {"type": "boolean"}, "Add @odata.count (all matches)", True),
    query("$select", {"type": "string"}, "Comma-separated properties", "guid,name,age"),
    query(
        "$filter",
        {"type": "string"},
        "Comparisons of updatedAt, createdAt, version, guid; eq/ne of type, entityName, name "
        "and form fields (nested ones by their CSDL name, e.g. address_city); and, or, "
        "parentheses",
        "updatedAt gt 2025-01-01T00:00:00Z and type eq 'individual'",
    ),
    query(
        "$orderby",
        {"type": "string"},
        "One property, asc or desc: updatedAt, createdAt, type, name, version, guid or a "
        "string, number or boolean form field; ties by guid; nulls first ascending",
        "updatedAt desc",
    ),
    query("$skiptoken", {"type": "string"}, "From @odata.nextLink (opaque)", "WyJwLTEiXQ"),
]

PATHS["/odata/{configId}"] = _odata(
    "OData service document: the tenant's entity sets",
    {
        _ODATA_JSON: {
            "schema": {"type": "object"},
            "example": {
                "@odata.context": "https://sync.example.org/odata/field-demo/$metadata",
                "value": [{"name": "person", "kind": "EntitySet", "url": "person"}],
            },
        }
    },
)
PATHS["/odata/{configId}/$metadata"] = _odata(
    "OData CSDL: one entity type per form (properties from its formio definition)",
    {"application/xml": {"schema": {"type": "string"}}},
)
PATHS["/odata/{configId}/{entitySet}"] = _odata(
    "Entities of one set (server-driven paging with @odata.nextLink)",
    {_ODATA_JSON: {"schema": {"type": "object"}, "example": _COLLECTION_EXAMPLE}},
    _SET,
    *_QUERY,
)
PATHS["/odata/{configId}/{entitySet}/$count"] = _odata(
    "How many entities of the set match $filter",
    {"text/plain": {"schema": {"type": "string"}, "example": "2500"}},
    _SET,
    _QUERY[4],  # $filter
)
SCHEMAS: dict[str, Any] = {
    "ODataError": {
        "type": "object",
        "description": "OData JSON error format (used inside /odata instead of problem+json)",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
}
