"""Rules across settings (ranges, production requirements); problems go to the reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bootstrap.env import Reader
from domain.users import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH

MIN_SECRET_BYTES = 32
_PLACEHOLDERS = ("changeme", "change-me", "change_me", "replace-me", "example")


def check_settings(r: Reader, v: Mapping[str, Any]) -> None:
    prod = v["env"] == "production"
    _ranges(r, v)
    _secrets(r, v, prod)
    _admin(r, v, prod)
    r.check(
        v["db_pool_min"] <= v["db_pool_max"],
        f"DB_POOL_MIN ({v['db_pool_min']}) must not exceed DB_POOL_MAX ({v['db_pool_max']})",
    )
    r.check(
        v["db_pool_max"] >= v["web_threads"],
        f"DB_POOL_MAX ({v['db_pool_max']}) must be at least WEB_THREADS ({v['web_threads']}): "
        "every request thread may need a connection",
    )
    r.check(
        v["refresh_token_ttl_s"] >= v["jwt_ttl_s"],
        f"REFRESH_TOKEN_TTL ({v['refresh_token_ttl_s']} s) must be at least JWT_TTL "
        f"({v['jwt_ttl_s']} s): an access token ends with its session",
    )
    if prod:
        r.check(
            v["bcrypt_rounds"] >= 10,
            f"BCRYPT_ROUNDS={v['bcrypt_rounds']}: production needs at least 10",
        )
        r.check("*" not in v["cors_origins"], "CORS_ORIGINS=*: list the allowed origins")
    r.check(
        not (v["cors_allow_credentials"] and "*" in v["cors_origins"]),
        "CORS_ALLOW_CREDENTIALS=true cannot be combined with CORS_ORIGINS=*",
    )


def _ranges(r: Reader, v: Mapping[str, Any]) -> None:
    def between(name: str, key: str, low: float, high: float) -> None:
        value = v[key]
        r.check(low <= value <= high, f"{name}={value}: expected {low:g} to {high:g}")

    between("PORT", "port", 1, 65535)
    between("JWT_TTL", "jwt_ttl_s", 60, 30 * 86400)
    between("REFRESH_TOKEN_TTL", "refresh_token_ttl_s", 60, 365 * 86400)
    between("BCRYPT_ROUNDS", "bcrypt_rounds", 4, 31)
    between("DB_POOL_MIN", "db_pool_min", 0, 1000)
    between("DB_POOL_MAX", "db_pool_max", 1, 1000)
    between("DB_TIMEOUT", "db_timeout_s", 0.1, 600)
    between("WEB_CONCURRENCY", "web_concurrency", 1, 256)
    between("WEB_THREADS", "web_threads", 1, 256)
    between("RATE_LIMIT_PER_IP", "rate_limit_per_ip", 0, 100_000_000)
    between("RATE_LIMIT_PER_USER", "rate_limit_per_user", 0, 100_000_000)
    between("LOGIN_ATTEMPTS_PER_EMAIL", "login_attempts_per_email", 0, 1_000_000)
    between("LOGIN_ATTEMPTS_PER_IP", "login_attempts_per_ip", 0, 1_000_000)
    between("LOGIN_WINDOW", "login_window_s", 1, 86400)
    between("TRUSTED_PROXY_COUNT", "trusted_proxy_count", 0, 10)
    between("MAX_BODY_BYTES", "max_body_bytes", 1024, 1024**3)
    between("PULL_ACTIVITY_FLUSH", "pull_activity_flush_s", 1, 86400)
    r.check(
        v["retention_interval_s"] == 0 or v["retention_interval_s"] >= 1,
        f"RETENTION_INTERVAL={v['retention_interval_s']:g}: expected 0 (off) or at least 1s",
    )
    for name, age in v["retention_ages_s"]:
        r.check(age >= 0, f"retention age for {name} is negative: expected 0 (keep) or more")
    between("PULL_PAGE_MAX_BYTES", "pull_page_max_bytes", 1024, 1024**3)
    between("LEGACY_SINCE_SKEW", "legacy_since_skew_s", 0, 7 * 86400)
    between("IDP_CACHE_TTL", "idp_cache_ttl_s", 0, 86400)
    between("EXTERNAL_SYNC_DEADLINE", "external_sync_deadline_s", 1, 86400)


def _secrets(r: Reader, v: Mapping[str, Any], prod: bool) -> None:
    jwt = v["jwt_secret"]
    if prod and not jwt:
        r.problems.append(
            "JWT_SECRET is required in production (at least 32 bytes), e.g. the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    elif prod:
        _strong(r, "JWT_SECRET", jwt)
    for index, key in enumerate(v["secret_keys"]):
        _strong(r, "SECRET_KEY" if index == 0 else f"SECRET_KEY (key {index + 1})", key)
    if v["metrics_token"] is not None:
        _strong(r, "METRICS_TOKEN", v["metrics_token"])


def _strong(r: Reader, name: str, value: str) -> None:
    r.check(
        len(value.encode()) >= MIN_SECRET_BYTES,
        f"{name} is too short ({len(value.encode())} bytes): use at least {MIN_SECRET_BYTES}",
    )
    r.check(
        not any(word in value.lower() for word in _PLACEHOLDERS),
        f"{name} looks like a placeholder: generate a random value",
    )


def _admin(r: Reader, v: Mapping[str, Any], prod: bool) -> None:
    email, password = v["admin_email"], v["admin_password"]
    if email is not None:
        r.check("@" in email and email == email.strip(), f"ADMIN_EMAIL={email!r}: not an address")
    if password is not None:
        r.check(
            len(password) >= MIN_PASSWORD_LENGTH,
            f"ADMIN_PASSWORD is too short: use at least {MIN_PASSWORD_LENGTH} characters",
        )
        r.check(
            len(password.encode()) <= MAX_PASSWORD_BYTES,
            f"ADMIN_PASSWORD is too long: bcrypt takes at most {MAX_PASSWORD_BYTES} bytes",
        )
    if prod and (email is None) != (password is None):
        r.problems.append("ADMIN_EMAIL and ADMIN_PASSWORD must be set together in production")
