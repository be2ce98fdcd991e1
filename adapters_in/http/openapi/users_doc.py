"""OpenAPI description of /api/users (see ``resources/users.py``)."""

from __future__ import annotations

from adapters_in.http.openapi.common import PUBLIC, TOKEN, body, errors, ok, path, ref

TAGS = [{"name": "users", "description": "Login and user accounts (admin)"}]
_USER_EXAMPLE = {"id": 2, "email": "enumerator@example.org", "role": "USER", "tenants": ["t1"]}
_MESSAGE = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}

SCHEMAS = {
    "LoginRequest": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
    },
    "LoginResponse": {
        "type": "object",
        "required": ["token", "userId", "refreshToken", "expiresIn"],
        "properties": {
            "token": {"type": "string", "description": "Access token (JWT) for `Bearer`"},
            "userId": {"type": "integer"},
            "refreshToken": {
                "type": "string",
                "description": "Opaque, single use: trade it at `/api/users/refresh` for a new "
                "pair before it expires (`REFRESH_TOKEN_TTL`, 30 days by default)",
            },
            "expiresIn": {"type": "integer", "description": "Seconds the access token lives"},
        },
    },
    "RefreshRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["refreshToken"],
        "properties": {"refreshToken": {"type": "string"}},
    },
    "User": {
        "type": "object",
        "required": ["id", "email", "role", "tenants"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "role": {"type": "string", "enum": ["ADMIN", "USER"]},
            "tenants": {
                "type": "array",
                "items": {"type": "string"},
                "description": 'Tenants the user may sync; `["*"]` for all.',
            },
            "message": {"type": "string"},
        },
    },
    "UserDraft": {
        "type": "object",
        "additionalProperties": False,
        "required": ["email"],
        "properties": {
            "email": {"type": "string"},
            "password": {
                "type": ["string", "null"],
                "description": "10 characters to 72 UTF-8 bytes. Optional on update.",
            },
            "role": {"type": "string", "enum": ["ADMIN", "USER"], "default": "USER"},
            "tenants": {"type": "array", "items": {"type": "string"}},
            "id": {"description": "ignored (the admin UI may echo it back on update)"},
        },
    },
}

_LOGIN_FAILED = {
    "description": 'Wrong email or password (identical for both): `{"message": "Invalid email '
    'or password", ...}`',
    "content": {"application/problem+json": {"schema": ref("Problem")}},
}
_SESSION_EXAMPLE = {
    "token": "eyJ...",
    "userId": 1,
    "refreshToken": "q3Zp...opaque",
    "expiresIn": 43200,
}
_REFRESH_FAILED = {
    "description": "Unknown, expired, revoked or reused refresh token (`code`: "
    "`invalid-refresh-token` or `refresh-token-reused`); log in again",
    "content": {"application/problem+json": {"schema": ref("Problem")}},
}
_SESSIONS = """Sessions. `POST /api/users/login` answers `{token, userId}` (what the deployed client
reads) plus `refreshToken` and `expiresIn`. Send `token` as `Authorization: Bearer <token>`
until it expires (`expiresIn` seconds, `JWT_TTL`); then post the refresh token to
`/api/users/refresh` for a new pair. Each refresh token works once: the answer carries its
replacement, and presenting a used one again revokes the whole session (it was copied),
access tokens included.
`/api/users/logout` ends the session of a refresh token, its access tokens included. Changing
a user's password or role, or deleting the user, revokes all the user's sessions and access
tokens at once."""
_USER_PATH = path("user_id", "numeric user id (PUT), or id or email (DELETE, compat)", "2")

PATHS = {
    "/api/users/login": {
        "post": {
            "tags": ["users"],
            "summary": "Log in; the token goes in `Authorization: Bearer <token>`",
            "description": _SESSIONS,
            "security": PUBLIC,
            "x-access": "public",
            "requestBody": body(
                ref("LoginRequest"), {"email": "admin@example.org", "password": "a-long-secret"}
            ),
            "responses": {
                "200": ok("Logged in", ref("LoginResponse"), _SESSION_EXAMPLE),
                **errors(400, 415),
                "401": _LOGIN_FAILED,
            },
        }
    },
    "/api/users/refresh": {
        "post": {
            "tags": ["users"],
            "summary": "Trade a refresh token for a new access token and refresh token",
            "description": _SESSIONS,
            "security": PUBLIC,
            "x-access": "public",
            "requestBody": body(ref("RefreshRequest"), {"refreshToken": "q3Zp...opaque"}),
            "responses": {
                "200": ok("A new pair", ref("LoginResponse"), _SESSION_EXAMPLE),
                **errors(400, 415, 422),
                "401": _REFRESH_FAILED,
            },
        }
    },
    "/api/users/logout": {
        "post": {
            "tags": ["users"],
            "summary": "End the session of a refresh token (unknown tokens are not an error)",
            "description": "The session can no longer be refreshed, and the access tokens "
            "issued to it are refused from now on.",
            "security": PUBLIC,
            "x-access": "public",
            "requestBody": body(ref("RefreshRequest"), {"refreshToken": "q3Zp...opaque"}),
            "responses": {"204": {"description": "Logged out"}, **errors(400, 415, 422)},
        }
    },
    "/api/users/check-token": {
        "get": {
            "tags": ["users"],
            "summary": "Check that a token is (still) valid",
            "security": TOKEN,
            "x-access": "any",
            "responses": {
                "200": ok("Valid", _MESSAGE, {"message": "Token is valid"}),
                **errors(401),
            },
        }
    },
    "/api/users/me": {
        "get": {
            "tags": ["users"],
            "summary": "The caller's own account (any role)",
            "security": TOKEN,
            "x-access": "any",
            "responses": {"200": ok("The account", ref("User"), _USER_EXAMPLE), **errors(401, 404)},
        }
    },
    "/api/users": {
        "get": {
            "tags": ["users"],
            "summary": "List users (admin)",
            "security": TOKEN,
            "x-access": "admin",
            "responses": {
                "200": ok("Users", {"type": "array", "items": ref("User")}, [_USER_EXAMPLE]),
                **errors(401, 403),
            },
        },
        "post": {
            "tags": ["users"],
            "summary": "Create a user (admin)",
            "security": TOKEN,
            "x-access": "admin",
            "requestBody": body(
                ref("UserDraft"),
                {"email": "new@example.org", "password": "a-long-secret", "role": "USER"},
            ),
            "responses": {
                "201": ok("Created", ref("User"), {**_USER_EXAMPLE, "message": "User created"}),
                **errors(400, 401, 403, 409, 413, 415, 422),
            },
        },
    },
    "/api/users/{user_id}": {
        "parameters": [_USER_PATH],
        "put": {
            "tags": ["users"],
            "summary": "Update a user (admin); a missing password keeps the current one",
            "description": "409 `last-admin`: demoting the last ADMIN is refused. 422 "
            "`unknown-tenant`: a newly granted tenant does not exist.",
            "security": TOKEN,
            "x-access": "admin",
            "requestBody": body(ref("UserDraft"), {"email": "renamed@example.org", "role": "USER"}),
            "responses": {
                "200": ok("Updated", ref("User"), _USER_EXAMPLE),
                **errors(400, 401, 403, 404, 409, 413, 415, 422),
            },
        },
        "delete": {
            "tags": ["users"],
            "summary": "Delete a user by id or by email (admin)",
            "description": "409 `last-admin`: deleting the last ADMIN is refused.",
            "security": TOKEN,
            "x-access": "admin",
            "responses": {
                "200": ok("Deleted", _MESSAGE, {"message": "User deleted successfully"}),
                **errors(401, 403, 404, 409),
            },
        },
    },
}
