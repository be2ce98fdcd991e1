"""Authentication: turn an ``Authorization`` header into a ``Principal`` (protocol: Authentication).

- ``Bearer <our JWT>``: verified locally, then resolved to a live account, so a deleted or
  disabled user loses access on the next request whatever the token's ``exp``.
- ``<provider> <token>`` (sync routes only): ``<provider>`` is the ``type`` of one of the tenant's
  ``authConfigs``; the token is checked by the ``IdentityProvider`` port and the result cached
  for a short TTL (one outbound call per token, not per request). Compat: the token may also be
  one of our JWTs. We try that *first*, locally, so our own tokens are never sent to a third party.

The error messages are the upstream compat bodies; the HTTP layer copies them into ``error``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from application.access import tenant_for
from application.users import CurrentUser
from domain.errors import Unauthenticated
from domain.users import USER, Principal
from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory
from ports.security import (
    ExternalIdentity,
    IdentityProvider,
    InvalidToken,
    TokenClaims,
    TokenIssuer,
)

MISSING_HEADER = "Authorization header missing"
INVALID_TOKEN = "Invalid token"
INVALID_TYPE = "Invalid authentication type"


class _TtlCache:
    """Validated provider tokens by (tenant, provider, token digest). Positive results only: a
    transient IdP failure must not lock a device out for the whole TTL."""

    def __init__(self, ttl: timedelta, max_entries: int) -> None:
        self._ttl, self._max = ttl, max_entries
        self._entries: dict[tuple[str, str, str], tuple[datetime, ExternalIdentity]] = {}
        self._lock = threading.Lock()  # gthread workers share one instance

    def get(self, key: tuple[str, str, str], now: datetime) -> ExternalIdentity | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= now:
                self._entries.pop(key, None)
                return None
            return entry[1]

    def put(self, key: tuple[str, str, str], identity: ExternalIdentity, now: datetime) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                live = {k: v for k, v in self._entries.items() if v[0] > now}
                self._entries = live if len(live) < self._max else {}
            self._entries[key] = (now + self._ttl, identity)


def provider_fields(
    tenant_config: Mapping[str, Any], secrets: Mapping[str, str], scheme: str
) -> dict[str, Any] | None:
    """The ``fields`` of the tenant's auth config whose ``type`` is exactly ``scheme``
    (case-sensitive, as upstream), with secret values put back from ``secrets``."""
    configs = tenant_config.get("authConfigs")
    if not isinstance(configs, list):
        return None
    for index, config in enumerate(configs):
        if not isinstance(config, Mapping) or config.get("type") != scheme:
            continue
        fields = config.get("fields")
        merged = dict(fields) if isinstance(fields, Mapping) else {}
        prefix = f"/authConfigs/{index}/fields/"
        for pointer, value in secrets.items():
            if pointer.startswith(prefix):
                merged[pointer[len(prefix) :].replace("~1", "/").replace("~0", "~")] = value
        return merged
    return None


class Authenticate:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        tokens: TokenIssuer,
        identities: IdentityProvider,
        current_user: CurrentUser,
        clock: Clock,
        provider_cache_ttl_s: float = 60.0,
        provider_cache_size: int = 10_000,
    ) -> None:
        self._uow_factory, self._tokens, self._identities = uow_factory, tokens, identities
        self._current_user, self._clock = current_user, clock
        self._cache = _TtlCache(timedelta(seconds=provider_cache_ttl_s), provider_cache_size)

    def __call__(self, authorization: str | None, tenant_id: str | None = None) -> Principal:
        """``tenant_id`` is given on routes that accept provider tokens (the sync routes)."""
        if not authorization or not authorization.strip():
            raise Unauthenticated(MISSING_HEADER, code="authorization-missing")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer":
            claims = self._our_claims(token)
            if claims is None:
                raise Unauthenticated(INVALID_TOKEN, code="invalid-token")
            return self._current_user(claims.subject, claims.version, claims.session_id)
        if tenant_id is None:
            raise Unauthenticated(INVALID_TYPE, code="invalid-authentication-type")
        claims = self._our_claims(token)
        if claims is not None:  # compat: our JWT under a provider scheme
            return self._current_user(claims.subject, claims.version, claims.session_id)
        return self._provider_token(scheme, token, tenant_id)

    def _our_claims(self, token: str) -> TokenClaims | None:
        try:
            return self._tokens.verify(token)
        except InvalidToken:
            return None

    def _provider_token(self, scheme: str, token: str, tenant_id: str) -> Principal:
        if not token:
            raise Unauthenticated(INVALID_TOKEN, code="invalid-token")
        now = self._clock.now()
        key = (tenant_id, scheme, hashlib.sha256(token.encode("utf-8", "replace")).hexdigest())
        identity = self._cache.get(key, now)
        if identity is None:
            with self._uow_factory(read_only=True) as uow:
                tenant = uow.tenants.get(tenant_id)
            fields = provider_fields(tenant.config, tenant.secrets, scheme) if tenant else None
            if fields is not None:
                identity = self._identities.validate(scheme, fields, token)
            if identity is None:
                raise Unauthenticated(INVALID_TOKEN, code="invalid-token")
            self._cache.put(key, identity, now)
        # A provider vouches for one tenant only: the one whose authConfigs validated it.
        return Principal(
            user_id=f"{scheme}:{identity.subject}",
            email=identity.email,
            role=USER,
            tenants=(tenant_id,),
            provider=scheme,
        )


class CheckTenantAccess:
    """The tenant exists and the principal may use it (for routes with no other use case)."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(self, tenant_id: str, principal: Principal) -> None:
        with self._uow_factory(read_only=True) as uow:
            tenant_for(uow, tenant_id, principal)
