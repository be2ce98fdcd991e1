"""Request id, access log, CORS and rate limits."""

from __future__ import annotations

import pytest

from adapters_in.http.config import HttpConfig
from ports.errors import StorageUnavailable
from tests.http.conftest import PASSWORD, Api, build_api

ADMIN_UI = "https://admin.example.org"


def test_a_sane_request_id_is_echoed_and_a_missing_one_generated(api: Api) -> None:
    given = api.client.simulate_get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    fresh = api.client.simulate_get("/health")
    assert len(fresh.headers["x-request-id"]) == 32
    hostile = api.client.simulate_get("/health", headers={"X-Request-ID": "a\u00e9<script>"})
    assert hostile.headers["x-request-id"] != "a\u00e9<script>"


def test_errors_carry_the_request_id_too(api: Api) -> None:
    result = api.client.simulate_get("/api/users", headers={"X-Request-ID": "req-9"})
    assert result.status_code == 401
    assert result.headers["x-request-id"] == "req-9"


def test_the_access_log_has_one_line_per_request_and_no_secrets(api: Api, capsys) -> None:  # type: ignore[no-untyped-def]
    token = api.token("alice")
    api.client.simulate_post(
        "/api/users/login", json={"email": "alice@example.org", "password": PASSWORD}
    )
    api.client.simulate_get(
        "/api/sync/pull",
        params={"configId": "t1", "since": ""},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "log-1"},
    )
    lines = [line for line in capsys.readouterr().out.splitlines() if "request" in line]
    assert len(lines) == 2
    assert "log-1" in lines[1] and "status=200" in lines[1] and "path=/api/sync/pull" in lines[1]
    assert token not in "".join(lines) and PASSWORD not in "".join(lines)


def cors_api() -> Api:
    return build_api(
        HttpConfig(cors_origins=(ADMIN_UI,), rate_limit_per_ip=0, rate_limit_per_user=0)
    )


def test_cors_preflight_for_an_allowed_origin_needs_no_token() -> None:
    api = cors_api()
    result = api.client.simulate_options(
        "/api/users",
        headers={
            "Origin": ADMIN_UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert result.status_code == 204
    assert result.headers["access-control-allow-origin"] == ADMIN_UI
    assert "POST" in result.headers["access-control-allow-methods"]
    assert result.headers["access-control-allow-headers"] == "authorization, content-type"
    assert "access-control-allow-credentials" not in result.headers


def test_cors_headers_on_normal_and_error_responses() -> None:
    api = cors_api()
    ok = api.client.simulate_get("/health", headers={"Origin": ADMIN_UI})
    assert ok.headers["access-control-allow-origin"] == ADMIN_UI
    assert "X-Request-ID" in ok.headers["access-control-expose-headers"]
    denied = api.client.simulate_get("/api/users", headers={"Origin": ADMIN_UI})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == ADMIN_UI


def test_cors_ignores_other_origins() -> None:
    api = cors_api()
    result = api.client.simulate_options(
        "/api/users",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in result.headers
    get = api.client.simulate_get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers


def test_wildcard_origins_with_credentials_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="credentials"):
        HttpConfig(cors_origins=("*",), cors_allow_credentials=True)


def test_per_ip_rate_limit_answers_429_with_retry_after() -> None:
    api = build_api(HttpConfig(rate_limit_per_ip=3, rate_limit_per_user=0))
    statuses = [api.client.simulate_get("/health").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.client.simulate_get("/health")
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert api.client.simulate_get("/health", remote_addr="198.51.100.7").status_code == 200


def test_per_user_rate_limit() -> None:
    api = build_api(HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=2))
    alice, bob = api.auth("alice"), api.auth("bob")
    me = "/api/users/me"
    assert [api.client.simulate_get(me, headers=alice).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert api.client.simulate_get(me, headers=bob).status_code == 200


def test_forwarded_for_is_used_only_behind_trusted_proxies() -> None:
    api = build_api(HttpConfig(rate_limit_per_ip=1, rate_limit_per_user=0, trusted_proxy_count=1))
    first = {"X-Forwarded-For": "spoofed, 192.0.2.1"}
    second = {"X-Forwarded-For": "spoofed, 192.0.2.2"}
    assert api.client.simulate_get("/health", headers=first).status_code == 200
    assert api.client.simulate_get("/health", headers=second).status_code == 200
    assert api.client.simulate_get("/health", headers=first).status_code == 429


class _UnreachableLimits:
    """A ``RateLimits`` store whose database is away."""

    def hit(self, key: str, limit: int, period_s: float) -> float:
        raise StorageUnavailable("the database is unreachable", retry_after_s=5)

    def refund(self, key: str, limit: int, period_s: float) -> None:
        raise StorageUnavailable("the database is unreachable", retry_after_s=5)

    def reset(self, key: str) -> None:
        raise StorageUnavailable("the database is unreachable", retry_after_s=5)

    def purge_expired(self, now: object) -> int:
        raise StorageUnavailable("the database is unreachable", retry_after_s=5)


def test_limits_fail_open_when_their_store_is_unreachable() -> None:
    """Liveness and the login itself do not depend on the limit store being up."""
    config = HttpConfig(rate_limit_per_ip=1, rate_limit_per_user=1, login_attempts_per_ip=1)
    api = build_api(config, rate_limits=_UnreachableLimits())
    for _ in range(3):
        assert api.client.simulate_get("/health").status_code == 200
    login = {"email": "alice@example.org", "password": PASSWORD}
    assert api.client.simulate_post("/api/users/login", json=login).status_code == 200
