"""Two requests refresh with the same token at once (a copied token used by a thief while the
owner refreshes): exactly one gets a new pair, the other is a reuse, and the family ends."""

from __future__ import annotations

import threading

import pytest

from adapters_out.postgres import PostgresDatabase
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from adapters_out.security.opaque_tokens import RandomOpaqueTokens
from adapters_out.system import SystemClock
from application.sessions import LoginResult, RefreshSession, SessionTokens
from domain.errors import Unauthenticated
from domain.users import User

SECRET = "race-test-secret-" + "x" * 32


def test_concurrent_refreshes_with_one_token_let_one_through_and_end_the_session(
    pg: PostgresDatabase,
) -> None:
    clock = SystemClock()
    sessions = SessionTokens(JwtTokenIssuer(SECRET, clock), RandomOpaqueTokens(), clock)
    refresh = RefreshSession(pg, sessions, clock)
    with pg() as uow:
        user = uow.users.add(
            User(id=0, email="ann@example.org", password_hash="x", role="USER", tenants=())
        )
        first = sessions.issue(uow, user, sessions.new_family(), clock.now())
        uow.commit()
    outcomes: list[LoginResult | str] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append(refresh(first.refresh_token))
        except Unauthenticated as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, LoginResult)]
    assert len(outcomes) == 4 and len(winners) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, str)]
    # The first loser finds the token used (a reuse) and revokes the family; a later one may
    # find it revoked already.
    assert "refresh-token-reused" in refused
    assert set(refused) <= {"refresh-token-reused", "invalid-refresh-token"}
    # The family is gone, the winner's new tokens included: both parties must log in again.
    family = JwtTokenIssuer(SECRET, clock).verify(first.token).session_id
    assert family is not None
    with pg(read_only=True) as uow:
        assert not uow.refresh_tokens.session_active(family, clock.now())
    with pytest.raises(Unauthenticated) as late:
        refresh(winners[0].refresh_token)
    assert late.value.code == "invalid-refresh-token"
