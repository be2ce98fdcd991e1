"""OpenAPI building blocks shared by every route module (problems, security, parameters)."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"
_PHRASES = {
    400: "Malformed request (bad JSON, bad parameter or cursor)",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed (admin only, or another tenant)",
    404: "No such resource (or tenant)",
    409: "Conflicts with the current state",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type (send application/json)",
    422: "Well-formed but invalid; `errors` lists every problem with a JSON pointer",
    429: "Rate limited; retry after `Retry-After` seconds",
    411: "A chunked body the server cannot delimit; send `Content-Length`",
    502: "An external system failed or refused (the body has the run's record)",
    503: "Database unavailable, or too many identity-provider checks in flight "
    "(`identity-provider-busy`); retry after `Retry-After` seconds",
    504: "An external system did not answer in time (the body has the run's record)",
}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "string"}, "description": "seconds"}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def problem(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _PHRASES[status],
        "content": {PROBLEM: {"schema": ref("Problem")}},
    }
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def errors(*statuses: int) -> dict[str, Any]:
    """Problem responses for these statuses, plus the ones any route can produce."""
    return {str(s): problem(s) for s in sorted({*statuses, 429})}


def json_content(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def ok(description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    return {"description": description, "content": json_content(schema, example)}


def body(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    return {"required": True, "content": json_content(schema, example)}


def query(name: str, schema: dict[str, Any], description: str, example: Any = None):
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }
    if example is not None:
        param["example"] = example
    return param


def path(name: str, description: str, example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
        "example": example,
    }


CONFIG_ID = query(
    "configId",
    {"type": "string"},
    "The tenant (app configuration id). Absent: `default` (compat).",
    "default",
)
TOKEN = [{"bearerAuth": []}]
SYNC = [{"bearerAuth": []}, {"providerToken": []}]
PUBLIC: list[dict[str, list[str]]] = []

BASIC = [{"basicAuth": []}]
SECURITY_SCHEMES = {
    "basicAuth": {
        "type": "http",
        "scheme": "basic",
        "description": "A user's e-mail and password; the OData feed (`/odata/...`) only.",
    },
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "`Authorization: Bearer <token from /api/users/login>`",
    },
    "providerToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Authorization: <provider> <token>` where `<provider>` is the `type` of "
        "one of the tenant's `authConfigs` (e.g. `keycloak`, `auth0`); sync routes only.",
    },
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, plus compat members (`error`, `message`).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "code", "detail"],
                "properties": {
                    "pointer": {"type": "string", "examples": ["#/events/0/timestamp"]},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
        "error": {"type": "string", "description": "compat: upstream auth failure text"},
        "message": {"type": "string", "description": "compat: upstream message"},
        "requestId": {"type": "string"},
    },
}


def token_operation(
    tag: str, access: str, summary: str, responses: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """An operation called with our bearer token; ``access`` says who may call it
    (``x-access``: docs/hardening.md)."""
    return {
        "tags": [tag],
        "summary": summary,
        "security": TOKEN,
        "x-access": access,
        "responses": responses,
        **extra,
    }
