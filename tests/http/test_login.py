"""POST /api/users/login: compat shape, no user enumeration, throttling, token lifecycle."""

from __future__ import annotations

import jwt
import pytest

from adapters_in.http.config import HttpConfig
from tests.http.conftest import PASSWORD, SECRET, Api, build_api

LOGIN = "/api/users/login"


def _login(api: Api, email: str, password: str, **kwargs):  # type: ignore[no-untyped-def]
    return api.client.simulate_post(LOGIN, json={"email": email, "password": password}, **kwargs)


def test_login_returns_the_compat_shape_and_a_token_with_all_claims(api: Api) -> None:
    result = _login(api, "Alice@Example.org", PASSWORD)
    assert result.status_code == 200
    # {token, userId} as the deployed client reads it, plus the refresh half.
    assert set(result.json) == {"token", "userId", "refreshToken", "expiresIn"}
    assert result.json["userId"] == api.users["alice"].id
    assert result.json["expiresIn"] == 3600
    claims = jwt.decode(result.json["token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(api.users["alice"].id)
    assert claims["id"] == api.users["alice"].id  # compat: an integer
    assert claims["email"] == "alice@example.org"
    assert claims["role"] == "USER"
    assert claims["exp"] - claims["iat"] == 3600
    assert isinstance(claims["ver"], str) and isinstance(claims["sid"], str)


def test_unknown_email_and_wrong_password_are_indistinguishable(api: Api) -> None:
    unknown = _login(api, "nobody@example.org", PASSWORD)
    wrong = _login(api, "alice@example.org", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json
    assert unknown.json["message"] == "Invalid email or password"
    assert unknown.headers["content-type"] == wrong.headers["content-type"]


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "alice@example.org"}, {"password": PASSWORD}, {"email": 5, "password": "x"}],
)
def test_missing_or_mistyped_fields_are_a_400(api: Api, body: dict) -> None:
    result = api.client.simulate_post(LOGIN, json=body)
    assert result.status_code == 400
    assert result.headers["content-type"] == "application/problem+json"
    assert result.json["errors"]


def test_overlong_or_odd_passwords_fail_cleanly(api: Api) -> None:
    assert _login(api, "alice@example.org", "x" * 500).status_code == 401
    lone_surrogate = b'{"email": "alice@example.org", "password": "\\ud800"}'
    result = api.client.simulate_post(
        LOGIN, body=lone_surrogate, headers={"Content-Type": "application/json"}
    )
    assert result.status_code == 400


def test_failed_logins_per_email_are_throttled_with_retry_after() -> None:
    api = build_api(HttpConfig(login_attempts_per_email=3, rate_limit_per_ip=0))
    for _ in range(3):
        assert _login(api, "alice@example.org", "wrong").status_code == 401
    throttled = _login(api, "alice@example.org", PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    # Unknown emails are throttled the same way (no enumeration through throttling either).
    for _ in range(3):
        _login(api, "ghost@example.org", "wrong")
    assert _login(api, "ghost@example.org", "wrong").status_code == 429
    # Other accounts are unaffected.
    assert _login(api, "bob@example.org", PASSWORD).status_code == 200


def test_failed_logins_per_ip_are_throttled_whatever_the_emails() -> None:
    api = build_api(HttpConfig(login_attempts_per_ip=3, rate_limit_per_ip=0))
    ip = {"remote_addr": "203.0.113.9"}
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        assert _login(api, email, "guess", **ip).status_code == 401
    assert _login(api, "d@example.org", "guess", **ip).status_code == 429
    assert _login(api, "alice@example.org", PASSWORD, **ip).status_code == 429
    assert _login(api, "alice@example.org", PASSWORD, remote_addr="203.0.113.10").status_code == 200


def test_a_field_office_behind_one_address_logs_in_all_at_once() -> None:
    """30 devices behind one NAT log in at the start of the day: successes cost no budget."""
    api = build_api(HttpConfig(login_attempts_per_ip=5, rate_limit_per_ip=0))
    nat = {"remote_addr": "198.51.100.7"}
    for _ in range(30):
        assert _login(api, "alice@example.org", PASSWORD, **nat).status_code == 200
    # ... and a couple of typos among them do not lock the office out either.
    assert _login(api, "bob@example.org", "typo", **nat).status_code == 401
    assert _login(api, "bob@example.org", PASSWORD, **nat).status_code == 200


def test_guessing_from_another_address_cannot_lock_the_owner_out() -> None:
    api = build_api(HttpConfig(login_attempts_per_email=3, rate_limit_per_ip=0))
    attacker, owner = {"remote_addr": "192.0.2.66"}, {"remote_addr": "198.51.100.7"}
    for _ in range(3):
        assert _login(api, "alice@example.org", "guess", **attacker).status_code == 401
    assert _login(api, "alice@example.org", "guess", **attacker).status_code == 429
    assert _login(api, "alice@example.org", PASSWORD, **owner).status_code == 200


def test_a_successful_login_clears_the_failure_count() -> None:
    api = build_api(HttpConfig(login_attempts_per_email=2, rate_limit_per_ip=0))
    _login(api, "alice@example.org", "wrong")
    assert _login(api, "alice@example.org", PASSWORD).status_code == 200
    _login(api, "alice@example.org", "wrong")
    assert _login(api, "alice@example.org", PASSWORD).status_code == 200


def test_the_token_works_until_the_user_is_deleted(api: Api) -> None:
    token = _login(api, "bob@example.org", PASSWORD).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.simulate_get("/api/users/check-token", headers=bearer).status_code == 200
    deleted = api.client.simulate_delete("/api/users/bob@example.org", headers=api.auth("admin"))
    assert deleted.status_code == 200
    after = api.client.simulate_get("/api/users/check-token", headers=bearer)
    assert after.status_code == 401
    assert after.json["error"] == "Invalid token"


def test_the_token_expires(api: Api) -> None:
    bearer = {"Authorization": f"Bearer {api.token('alice')}"}
    from datetime import timedelta

    api.clock.offset = timedelta(hours=1, seconds=1)
    assert api.client.simulate_get("/api/users/me", headers=bearer).status_code == 401


def test_a_non_bearer_scheme_is_refused_outside_sync_routes(api: Api) -> None:
    result = api.client.simulate_get(
        "/api/users/me", headers={"Authorization": f"Basic {api.token('alice')}"}
    )
    assert result.status_code == 401
    assert result.json["error"] == "Invalid authentication type"
