"""The accounts part of retention: expired/revoked refresh tokens and refilled limit state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters_out.memory.limits import MemoryRateLimits
from adapters_out.memory.uow import MemoryDatabase
from application.sessions import PurgeExpiredAccountState
from ports.records import RefreshToken

NOW = datetime(2026, 1, 10, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _token(token_hash: str, expires: datetime, revoked: datetime | None = None) -> RefreshToken:
    return RefreshToken(
        token_hash=token_hash,
        family_id=token_hash,
        user_id=1,
        version="v",
        issued_at=NOW - timedelta(days=40),
        expires_at=expires,
        revoked_at=revoked,
    )


def test_purges_what_is_dead_and_keeps_what_still_counts() -> None:
    db = MemoryDatabase()
    with db() as uow:
        uow.refresh_tokens.add(_token("expired", NOW - timedelta(seconds=1)))
        uow.refresh_tokens.add(_token("revoked", NOW + timedelta(days=1), NOW - timedelta(hours=1)))
        uow.refresh_tokens.add(_token("live", NOW + timedelta(days=1)))
        uow.commit()
    seconds = [NOW.timestamp() - 120]
    limits = MemoryRateLimits(now=lambda: seconds[0])
    limits.hit("refilled", 10, 60.0)  # refilled 60 s after the hit, i.e. before NOW
    seconds[0] = NOW.timestamp()
    limits.hit("busy", 1, 60.0)  # still limiting at NOW
    purged = PurgeExpiredAccountState(db, limits, FixedClock())()
    assert purged == {"refresh_tokens": 2, "rate_limits": 1}
    assert set(db.state.refresh_tokens) == {"live"}
    assert limits.hit("busy", 1, 60.0) > 0
