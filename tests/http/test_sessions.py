"""Refresh tokens over HTTP: rotation, reuse detection, logout, and revocation of a user's
tokens on password change, role change and deletion."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import jwt
import pytest

from tests.http.conftest import PASSWORD, SECRET, Api

LOGIN, REFRESH, LOGOUT, ME = (
    "/api/users/login",
    "/api/users/refresh",
    "/api/users/logout",
    "/api/users/me",
)


def _login(api: Api, name: str = "alice") -> dict:
    result = api.client.simulate_post(
        LOGIN, json={"email": f"{name}@example.org", "password": PASSWORD}
    )
    assert result.status_code == 200
    return result.json


def _refresh(api: Api, token: str):  # type: ignore[no-untyped-def]
    return api.client.simulate_post(REFRESH, json={"refreshToken": token})


def _me(api: Api, access: str) -> int:
    return api.client.simulate_get(ME, headers={"Authorization": f"Bearer {access}"}).status_code


def test_a_refresh_rotates_both_tokens_within_the_session(api: Api) -> None:
    first = _login(api)
    second = _refresh(api, first["refreshToken"])
    assert second.status_code == 200
    pair = second.json
    assert set(pair) == {"token", "userId", "refreshToken", "expiresIn"}
    assert pair["userId"] == first["userId"] and pair["expiresIn"] == 3600
    assert pair["refreshToken"] != first["refreshToken"]
    assert _me(api, pair["token"]) == 200
    claims = [jwt.decode(t, SECRET, algorithms=["HS256"]) for t in (first["token"], pair["token"])]
    assert claims[0]["sid"] == claims[1]["sid"]  # one session
    third = _refresh(api, pair["refreshToken"])
    assert third.status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    first = _login(api)
    other_session = _login(api)
    rotated = _refresh(api, first["refreshToken"]).json
    reused = _refresh(api, first["refreshToken"])  # a copy of the old token shows up
    assert reused.status_code == 401
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json["code"] == "refresh-token-reused"
    warning = [r.getMessage() for r in caplog.records if "reused" in r.getMessage()]
    assert warning == [f"refresh token reused: session revoked (user {first['userId']}, 2 tokens)"]
    assert first["refreshToken"] not in caplog.text
    # The current tokens of that family are dead too (thief or owner: both must log in again) ...
    assert _refresh(api, rotated["refreshToken"]).json["code"] == "invalid-refresh-token"
    assert _me(api, rotated["token"]) == 401
    assert _me(api, first["token"]) == 401
    # ... but another session of the same user is untouched.
    assert _refresh(api, other_session["refreshToken"]).status_code == 200
    assert _me(api, other_session["token"]) == 200


def test_unknown_malformed_and_expired_refresh_tokens_are_refused(api: Api) -> None:
    assert _refresh(api, "not-a-token").status_code == 401
    assert api.client.simulate_post(REFRESH, json={}).status_code == 422
    assert api.client.simulate_post(REFRESH, json={"refreshToken": 5}).status_code == 422
    session = _login(api)
    api.clock.offset = timedelta(days=30, seconds=1)  # the default REFRESH_TOKEN_TTL
    expired = _refresh(api, session["refreshToken"])
    assert (expired.status_code, expired.json["code"]) == (401, "invalid-refresh-token")


def test_logout_ends_the_session_and_unknown_tokens_are_not_an_error(api: Api) -> None:
    session = _login(api)
    other = _login(api)
    assert api.client.simulate_post(LOGOUT, json=session).status_code == 422  # only the token
    out = api.client.simulate_post(LOGOUT, json={"refreshToken": session["refreshToken"]})
    assert out.status_code == 204
    assert _refresh(api, session["refreshToken"]).status_code == 401
    assert _me(api, session["token"]) == 401  # the session's access token ended with it
    assert _me(api, other["token"]) == 200
    assert _refresh(api, other["refreshToken"]).status_code == 200
    again = api.client.simulate_post(LOGOUT, json={"refreshToken": "never-issued"})
    assert again.status_code == 204


@pytest.mark.parametrize(
    "change",
    [{"password": "a brand new password"}, {"role": "ADMIN"}],
    ids=["password-change", "role-change"],
)
def test_a_password_or_role_change_revokes_access_and_refresh_tokens(
    api: Api, change: dict
) -> None:
    session = _login(api)
    assert _me(api, session["token"]) == 200
    alice = api.users["alice"].id
    changed = api.client.simulate_put(f"/api/users/{alice}", json=change, headers=api.auth("admin"))
    assert changed.status_code == 200
    assert _me(api, session["token"]) == 401  # the access token's `ver` is stale
    assert _refresh(api, session["refreshToken"]).status_code == 401
    password = change.get("password", PASSWORD)
    fresh = api.client.simulate_post(
        LOGIN, json={"email": "alice@example.org", "password": password}
    )
    assert _me(api, fresh.json["token"]) == 200


def test_an_edit_that_changes_neither_password_nor_role_keeps_sessions(api: Api) -> None:
    session = _login(api)
    alice = api.users["alice"].id
    edit = {"tenants": ["t1", "t2"]}
    assert (
        api.client.simulate_put(f"/api/users/{alice}", json=edit, headers=api.auth("admin"))
    ).status_code == 200
    assert _me(api, session["token"]) == 200
    assert _refresh(api, session["refreshToken"]).status_code == 200


def test_deleting_a_user_revokes_their_tokens(api: Api) -> None:
    session = _login(api, "bob")
    bob = api.users["bob"].id
    assert (
        api.client.simulate_delete(f"/api/users/{bob}", headers=api.auth("admin")).status_code
        == 200
    )
    assert _me(api, session["token"]) == 401
    assert _refresh(api, session["refreshToken"]).status_code == 401


def test_only_the_hash_of_a_refresh_token_is_stored_and_no_token_is_logged(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    session = _login(api)
    rotated = _refresh(api, session["refreshToken"]).json
    stored = api.db.state.refresh_tokens
    for token in (session["refreshToken"], rotated["refreshToken"]):
        assert hashlib.sha256(token.encode()).hexdigest() in stored
        assert all(token not in repr(row) for row in stored.values())
    logged = capsys.readouterr()
    for secret in (session["refreshToken"], rotated["refreshToken"], rotated["token"], PASSWORD):
        assert secret not in logged.out + logged.err
