"""Authentication for every routed request, driven by the resource's ``auth`` attribute.

- ``"public"``: no credentials (login, health, docs, artifacts).
- ``"token"`` (the default, so a new resource is never public by accident): our JWT only.
- ``"sync"``: our JWT or a tenant's provider token (``Authorization: <provider> <token>``).

Authorisation (admin, tenant) is the use cases' job; this only establishes who is calling and
stores it in ``req.context.principal``. ``OPTIONS`` and methods the resource does not implement
pass through, so Falcon can answer them (preflight, 405) without demanding a token.
"""

from __future__ import annotations

from typing import Any, Literal

import falcon
import structlog

from adapters_in.http.parsing import tenant_of
from application.authenticate import Authenticate

AuthMode = Literal["public", "token", "sync"]


def auth_mode(resource: object) -> AuthMode:
    return getattr(resource, "auth", "token")


def _implements(resource: object, method: str) -> bool:
    prefix = f"on_{method.lower()}"
    return any(name == prefix or name.startswith(prefix + "_") for name in dir(resource))


class AuthenticationMiddleware:
    def __init__(self, authenticate: Authenticate, default_tenant: str) -> None:
        self._authenticate, self._default_tenant = authenticate, default_tenant

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict
    ) -> None:
        mode = auth_mode(resource)
        if mode == "public" or req.method == "OPTIONS" or not _implements(resource, req.method):
            return
        header = req.get_header("Authorization")
        scheme = (header or "").strip().partition(" ")[0].lower()
        # The tenant matters only for provider tokens; reading it (maybe from the body) for
        # other requests would turn "no token + bad JSON" into a 400 instead of a 401.
        provider = mode == "sync" and scheme not in ("", "bearer")
        tenant = tenant_of(req, self._default_tenant) if provider else None
        principal = self._authenticate(header, tenant)
        req.context.principal = principal
        structlog.contextvars.bind_contextvars(user=principal.user_id)
