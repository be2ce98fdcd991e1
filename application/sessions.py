"""Login sessions: short-lived access tokens plus rotating refresh tokens.

A login starts a *family*: the access token carries its id as ``sid`` and the user's
credential version as ``ver``. The refresh token is opaque (256 random bits); only its SHA-256
is stored. Each refresh marks the presented token used and hands out a new one in the same
family; presenting a used token again means it was copied, so the whole family is revoked
(the thief's and the owner's current tokens alike). A password or role change, or the
deletion of the user, revokes all of the user's families, and the changed credential version
makes every access token issued before it invalid at once.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import attrs

from domain.errors import Unauthenticated
from domain.users import User, credential_version
from ports.clock import Clock
from ports.records import RefreshToken
from ports.repositories import UnitOfWork, UnitOfWorkFactory
from ports.security import OpaqueTokens, TokenIssuer

log = logging.getLogger(__name__)

INVALID_REFRESH = "Invalid refresh token"
DEFAULT_REFRESH_TTL_S = 30 * 86400


@attrs.frozen(kw_only=True)
class LoginResult:
    token: str
    user_id: int
    refresh_token: str = attrs.field(repr=False)
    expires_in: int  # seconds the access token lives


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class SessionTokens:
    """Issues the access + refresh pair of a session (inside the caller's unit of work)."""

    def __init__(
        self,
        tokens: TokenIssuer,
        opaque: OpaqueTokens,
        clock: Clock,
        refresh_ttl_s: int = DEFAULT_REFRESH_TTL_S,
    ) -> None:
        if refresh_ttl_s <= 0:
            raise ValueError("the refresh token lifetime must be positive")
        self._tokens, self._opaque, self._clock = tokens, opaque, clock
        self._refresh_ttl = timedelta(seconds=refresh_ttl_s)

    def new_family(self) -> str:
        return self._opaque.new_token()

    def issue(self, uow: UnitOfWork, user: User, family_id: str, now: datetime) -> LoginResult:
        version = credential_version(user)
        refresh = self._opaque.new_token()
        uow.refresh_tokens.add(
            RefreshToken(
                token_hash=token_digest(refresh),
                family_id=family_id,
                user_id=user.id,
                version=version,
                issued_at=now,
                expires_at=now + self._refresh_ttl,
            )
        )
        access = self._tokens.issue(
            subject=str(user.id),
            email=user.email,
            role=user.role,
            version=version,
            session_id=family_id,
        )
        return LoginResult(
            token=access,
            user_id=user.id,
            refresh_token=refresh,
            expires_in=self._tokens.lifetime_s,
        )


class RefreshSession:
    """Trade a refresh token for a new pair (rotation), detecting reuse."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, sessions: SessionTokens, clock: Clock
    ) -> None:
        self._uow_factory, self._sessions, self._clock = uow_factory, sessions, clock

    def __call__(self, refresh_token: str) -> LoginResult:
        digest, now = token_digest(refresh_token), self._clock.now()
        code = "invalid-refresh-token"
        with self._uow_factory() as uow:
            stored = uow.refresh_tokens.get(digest)
            if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
                raise Unauthenticated(INVALID_REFRESH, code=code)
            user = uow.users.get(stored.user_id)
            if not uow.refresh_tokens.use(digest, now):
                code = "refresh-token-reused"  # rotated before (or just now, concurrently)
            elif (
                user is not None
                and not user.disabled
                and credential_version(user) == stored.version
            ):
                result = self._sessions.issue(uow, user, stored.family_id, now)
                uow.commit()
                return result
            revoked = uow.refresh_tokens.revoke_family(stored.family_id, now)
            uow.commit()
        if code == "refresh-token-reused":  # a copied token: worth an operator's attention
            log.warning(
                "refresh token reused: session revoked (user %s, %d tokens)",
                stored.user_id,
                revoked,
            )
        raise Unauthenticated(INVALID_REFRESH, code=code)


class Logout:
    """End the session a refresh token belongs to. Unknown tokens are not an error (RFC 7009):
    the answer reveals nothing about which tokens exist."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory, self._clock = uow_factory, clock

    def __call__(self, refresh_token: str) -> None:
        with self._uow_factory() as uow:
            stored = uow.refresh_tokens.get(token_digest(refresh_token))
            if stored is not None:
                uow.refresh_tokens.revoke_family(stored.family_id, self._clock.now())
                uow.commit()
