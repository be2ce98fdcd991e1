from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import attrs


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, password_hash: str) -> bool: ...

    def waste_time(self, password: str) -> None:
        """Spend as long as ``verify`` does, so unknown emails cannot be told apart by timing."""
        ...


class InvalidToken(Exception):
    """Expired, forged, malformed or wrong-algorithm token."""


@attrs.frozen(kw_only=True)
class TokenClaims:
    subject: str
    email: str | None
    role: str
    issued_at: int
    expires_at: int
    version: str | None = None  # ``ver``: the user's credential version when issued
    session_id: str | None = None  # ``sid``: the refresh-token family of the login


class TokenIssuer(Protocol):
    lifetime_s: int  # how long an access token lives (``expiresIn`` on login)

    def issue(
        self,
        *,
        subject: str,
        email: str,
        role: str,
        version: str | None = None,
        session_id: str | None = None,
    ) -> str: ...

    def verify(self, token: str) -> TokenClaims: ...


class OpaqueTokens(Protocol):
    """Unguessable random strings (refresh tokens): at least 256 bits from the OS CSPRNG."""

    def new_token(self) -> str: ...


@attrs.frozen(kw_only=True)
class ExternalIdentity:
    subject: str
    email: str | None = None


class IdentityProvider(Protocol):
    """Checks tokens issued by an external IdP (Keycloak, Auth0) against its userinfo endpoint."""

    def validate(
        self, provider_type: str, fields: Mapping[str, Any], token: str
    ) -> ExternalIdentity | None: ...
