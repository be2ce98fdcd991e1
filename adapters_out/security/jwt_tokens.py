"""HS256 JSON Web Tokens (the ``TokenIssuer`` port) with PyJWT.

Claims: ``sub`` (user id as a string), ``id`` (the same id as an integer - compat, the upstream
token carried it), ``email`` (compat), ``role``, ``iat``, ``exp``, and ``ver`` (the user's
credential version, so a password or role change revokes the token) and ``sid`` (the login
session: its refresh-token family) when given. The algorithm is pinned on
verify, so ``alg: none`` and algorithm-confusion tokens are refused. Expiry is checked against the
injected clock (not PyJWT's ``time.time()``), so both issuing and checking use the same time.
"""

from __future__ import annotations

from typing import Any

import jwt

from ports.clock import Clock
from ports.security import InvalidToken, TokenClaims

ALGORITHM = "HS256"
_REQUIRED = ("sub", "role", "iat", "exp")


class JwtTokenIssuer:
    def __init__(self, secret: str, clock: Clock, ttl_s: int = 12 * 3600) -> None:
        if not secret:
            raise ValueError("the JWT secret must not be empty")
        if ttl_s <= 0:
            raise ValueError("the token lifetime must be positive")
        self._secret, self._clock, self._ttl_s = secret, clock, ttl_s
        self.lifetime_s = ttl_s

    def issue(
        self,
        *,
        subject: str,
        email: str,
        role: str,
        version: str | None = None,
        session_id: str | None = None,
    ) -> str:
        issued_at = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "sub": subject,
            "id": int(subject) if subject.isdigit() else subject,
            "email": email,
            "role": role,
            "iat": issued_at,
            "exp": issued_at + self._ttl_s,
        }
        if version is not None:
            claims["ver"] = version
        if session_id is not None:
            claims["sid"] = session_id
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": list(_REQUIRED), "verify_exp": False, "verify_iat": False},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(str(error)) from None
        expires_at, issued_at = claims["exp"], claims["iat"]
        if not all(type(v) is int for v in (expires_at, issued_at)):
            raise InvalidToken("iat and exp must be integers")
        if not isinstance(claims["sub"], str) or not isinstance(claims["role"], str):
            raise InvalidToken("sub and role must be strings")
        if self._clock.now().timestamp() >= expires_at:
            raise InvalidToken("the token has expired")
        email, version, session_id = claims.get("email"), claims.get("ver"), claims.get("sid")
        if not all(v is None or isinstance(v, str) for v in (version, session_id)):
            raise InvalidToken("ver and sid must be strings")
        return TokenClaims(
            subject=claims["sub"],
            email=email if isinstance(email, str) else None,
            role=claims["role"],
            issued_at=issued_at,
            expires_at=expires_at,
            version=version,
            session_id=session_id,
        )
