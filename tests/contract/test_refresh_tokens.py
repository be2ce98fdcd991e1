"""Refresh tokens: stored by hash, used (rotated) once, revoked by family or by user, purged."""

from __future__ import annotations

import threading

from ports.records import RefreshToken
from tests.contract.builders import t


def _token(token_hash: str, family: str = "f1", user_id: int = 1, expires: int = 100):
    return RefreshToken(
        token_hash=token_hash,
        family_id=family,
        user_id=user_id,
        version="v1",
        issued_at=t(0),
        expires_at=t(expires),
    )


def _add(database, *tokens: RefreshToken) -> None:
    with database() as uow:
        for token in tokens:
            uow.refresh_tokens.add(token)
        uow.commit()


def test_a_token_round_trips_and_is_used_exactly_once(database):
    original = _token("h1")
    _add(database, original)
    with database(read_only=True) as uow:
        assert uow.refresh_tokens.get("h1") == original
        assert uow.refresh_tokens.get("unknown") is None
    with database() as uow:
        assert uow.refresh_tokens.use("h1", t(5))
        assert not uow.refresh_tokens.use("h1", t(6))  # a second use is a reuse
        assert not uow.refresh_tokens.use("unknown", t(6))
        uow.commit()
    with database(read_only=True) as uow:
        stored = uow.refresh_tokens.get("h1")
    assert stored is not None and (stored.used_at, stored.revoked_at) == (t(5), None)


def test_an_uncommitted_use_is_rolled_back(database):
    _add(database, _token("h1"))
    with database() as uow:
        assert uow.refresh_tokens.use("h1", t(5))  # no commit
    with database() as uow:
        assert uow.refresh_tokens.use("h1", t(6))


def test_revoking_a_family_or_a_user_leaves_the_others(database):
    _add(
        database,
        _token("a1", family="fa", user_id=1),
        _token("a2", family="fa", user_id=1),
        _token("b1", family="fb", user_id=1),
        _token("c1", family="fc", user_id=2),
    )
    with database() as uow:
        assert uow.refresh_tokens.revoke_family("fa", t(3)) == 2
        assert uow.refresh_tokens.revoke_family("fa", t(4)) == 0  # already revoked
        uow.commit()
    with database() as uow:
        assert not uow.refresh_tokens.use("a2", t(5))  # a revoked token cannot be used
        assert uow.refresh_tokens.use("b1", t(5))
        assert uow.refresh_tokens.revoke_user(1, t(6)) == 1  # b1; a1 and a2 already revoked
        uow.commit()
    with database(read_only=True) as uow:
        revoked = {h: uow.refresh_tokens.get(h).revoked_at for h in ("a1", "a2", "b1", "c1")}
    assert revoked == {"a1": t(3), "a2": t(3), "b1": t(6), "c1": None}


def test_purge_deletes_expired_and_revoked_tokens_but_keeps_rotated_live_ones(database):
    _add(
        database,
        _token("expired", expires=10),
        _token("rotated", family="f2"),
        _token("revoked", family="f3"),
        _token("live", family="f4"),
    )
    with database() as uow:
        uow.refresh_tokens.use("rotated", t(1))
        uow.refresh_tokens.revoke_family("f3", t(2))
        uow.commit()
    with database() as uow:
        assert uow.refresh_tokens.purge_expired(t(1)) == 0  # nothing is due yet
        assert uow.refresh_tokens.purge_expired(t(10)) == 2
        uow.commit()
    with database(read_only=True) as uow:
        left = {h for h in ("expired", "rotated", "revoked", "live") if uow.refresh_tokens.get(h)}
    assert left == {"rotated", "live"}  # a rotated token stays, so its reuse is still seen


def test_of_two_concurrent_uses_exactly_one_wins(database):
    _add(database, _token("h1"))
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def use() -> None:
        barrier.wait()
        with database() as uow:
            results.append(uow.refresh_tokens.use("h1", t(5)))
            uow.commit()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [False, True]


def test_a_session_is_active_until_revoked_or_expired(database):
    _add(database, _token("a1", family="fa", expires=100), _token("b1", family="fb", expires=10))
    with database() as uow:
        uow.refresh_tokens.use("a1", t(1))
        uow.refresh_tokens.add(_token("a2", family="fa", expires=200))  # the rotation
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.refresh_tokens.session_active("fa", t(150))  # a2 lives on
        assert uow.refresh_tokens.session_active("fb", t(5))
        assert not uow.refresh_tokens.session_active("fb", t(10))  # expired
        assert not uow.refresh_tokens.session_active("unknown", t(5))
    with database() as uow:
        uow.refresh_tokens.revoke_family("fa", t(20))
        uow.commit()
    with database(read_only=True) as uow:
        assert not uow.refresh_tokens.session_active("fa", t(21))


def test_the_retention_target_takes_tokens_dead_before_the_cutoff(database):
    _add(
        database,
        _token("expired-long-ago", family="f1", expires=10),
        _token("revoked-long-ago", family="f2", expires=500),
        _token("revoked-lately", family="f3", expires=500),
        _token("used-but-live", family="f4", expires=500),
        _token("live", family="f5", expires=500),
    )
    with database() as uow:
        uow.refresh_tokens.revoke_family("f2", t(20))
        uow.refresh_tokens.revoke_family("f3", t(200))
        uow.refresh_tokens.use("used-but-live", t(30))
        uow.commit()
    with database(read_only=True) as uow:
        assert uow.retention.supports("dead-refresh-tokens")
        assert uow.retention.count("dead-refresh-tokens", t(100)) == 2
    with database() as uow:
        assert uow.retention.purge("dead-refresh-tokens", t(100), 1) == 1  # batches
        assert uow.retention.purge("dead-refresh-tokens", t(100), 10) == 1
        uow.commit()
    with database(read_only=True) as uow:
        left = {
            h
            for h in ("expired-long-ago", "revoked-long-ago", "revoked-lately", "used-but-live")
            if uow.refresh_tokens.get(h) is not None
        }
    assert left == {"revoked-lately", "used-but-live"}
