"""In-memory refresh tokens (the reference the SQL adapters are tested against)."""

from __future__ import annotations

from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from ports.records import RefreshToken


class MemoryRefreshTokens:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def add(self, token: RefreshToken) -> None:
        self._s.refresh_tokens[token.token_hash] = token

    def get(self, token_hash: str) -> RefreshToken | None:
        return self._s.refresh_tokens.get(token_hash)

    def use(self, token_hash: str, at: datetime) -> bool:
        token = self._s.refresh_tokens.get(token_hash)
        if token is None or token.used_at is not None or token.revoked_at is not None:
            return False
        self._s.refresh_tokens[token_hash] = attrs.evolve(token, used_at=at)
        return True

    def session_active(self, family_id: str, now: datetime) -> bool:
        return any(
            t.family_id == family_id and t.revoked_at is None and t.expires_at > now
            for t in self._s.refresh_tokens.values()
        )

    def _revoke(self, matches: list[RefreshToken], at: datetime) -> int:
        for token in matches:
            self._s.refresh_tokens[token.token_hash] = attrs.evolve(token, revoked_at=at)
        return len(matches)

    def revoke_family(self, family_id: str, at: datetime) -> int:
        tokens = self._s.refresh_tokens.values()
        live = [t for t in tokens if t.family_id == family_id and t.revoked_at is None]
        return self._revoke(live, at)

    def revoke_user(self, user_id: int, at: datetime) -> int:
        tokens = self._s.refresh_tokens.values()
        live = [t for t in tokens if t.user_id == user_id and t.revoked_at is None]
        return self._revoke(live, at)

    def purge_expired(self, now: datetime) -> int:
        gone = [
            h
            for h, t in self._s.refresh_tokens.items()
            if t.expires_at <= now or (t.revoked_at is not None and t.revoked_at <= now)
        ]
        for token_hash in gone:
            del self._s.refresh_tokens[token_hash]
        return len(gone)
