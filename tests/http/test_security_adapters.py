"""bcrypt hasher and HS256 token issuer (adapters_out/security)."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from ports.security import InvalidToken
from tests.http.conftest import SECRET, MovableClock


@pytest.fixture
def hasher() -> BcryptPasswordHasher:
    return BcryptPasswordHasher(cost=4)


def test_hash_and_verify(hasher: BcryptPasswordHasher) -> None:
    stored = hasher.hash("correct horse battery")
    assert stored.startswith("$2b$04$")
    assert hasher.verify("correct horse battery", stored)
    assert not hasher.verify("Correct horse battery", stored)


def test_odd_inputs_fail_instead_of_crashing(hasher: BcryptPasswordHasher) -> None:
    stored = hasher.hash("correct horse battery")
    assert not hasher.verify("x" * 73, stored)
    assert not hasher.verify("\ud800", stored)
    assert not hasher.verify("anything", "not a bcrypt hash")
    with pytest.raises(ValueError):
        hasher.hash("x" * 73)


def test_upstream_cost_10_hashes_still_verify(hasher: BcryptPasswordHasher) -> None:
    upstream = BcryptPasswordHasher(cost=10).hash("migrated password")
    assert hasher.verify("migrated password", upstream)


def test_waste_time_costs_about_as_much_as_verify() -> None:
    hasher = BcryptPasswordHasher(cost=8)
    stored = hasher.hash("correct horse battery")
    start = time.perf_counter()
    for _ in range(5):
        hasher.verify("wrong password", stored)
    real = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(5):
        hasher.waste_time("wrong password")
    wasted = time.perf_counter() - start
    assert 0.33 < wasted / real < 3.0  # generous: CI machines are noisy


def test_cost_is_bounded() -> None:
    with pytest.raises(ValueError):
        BcryptPasswordHasher(cost=3)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def issuer(clock: MovableClock) -> JwtTokenIssuer:
    return JwtTokenIssuer(SECRET, clock, ttl_s=60)


def test_issue_and_verify(issuer: JwtTokenIssuer) -> None:
    claims = issuer.verify(issuer.issue(subject="7", email="a@example.org", role="USER"))
    assert (claims.subject, claims.email, claims.role) == ("7", "a@example.org", "USER")
    assert claims.expires_at - claims.issued_at == 60


def test_version_and_session_claims_round_trip(issuer: JwtTokenIssuer) -> None:
    token = issuer.issue(
        subject="7", email="a@example.org", role="USER", version="v1", session_id="s1"
    )
    claims = issuer.verify(token)
    assert (claims.version, claims.session_id) == ("v1", "s1")
    assert issuer.verify(issuer.issue(subject="7", email="a", role="USER")).version is None


def test_expiry_follows_the_clock(issuer: JwtTokenIssuer, clock: MovableClock) -> None:
    token = issuer.issue(subject="7", email="a@example.org", role="USER")
    clock.offset = timedelta(seconds=60)
    with pytest.raises(InvalidToken):
        issuer.verify(token)


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": "7", "role": "USER", "iat": now, "exp": now + 60, **overrides}


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(_claims(), None, algorithm="none"),
        jwt.encode(_claims(), SECRET, algorithm="HS512"),
        jwt.encode(_claims(), "another secret that is long enough!!", algorithm="HS256"),
        jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, SECRET, algorithm="HS256"),
        jwt.encode(_claims(exp="tomorrow"), SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub=7), SECRET, algorithm="HS256"),
        jwt.encode(_claims(ver=3), SECRET, algorithm="HS256"),
        "not.a.token",
        "",
    ],
    ids=[
        "alg-none",
        "hs512",
        "wrong-key",
        "no-exp",
        "string-exp",
        "int-sub",
        "int-ver",
        "garbage",
        "empty",
    ],
)
def test_forged_or_malformed_tokens_are_refused(issuer: JwtTokenIssuer, token: str) -> None:
    with pytest.raises(InvalidToken):
        issuer.verify(token)


def test_an_empty_secret_is_refused(clock: MovableClock) -> None:
    with pytest.raises(ValueError):
        JwtTokenIssuer("", clock)
