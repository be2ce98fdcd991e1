"""Settings: defaults, parsing, production rules, every problem reported at once, no leaks."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bootstrap.env import parse_duration, parse_size
from bootstrap.settings import ConfigError, Settings

STRONG = "k3Jv9xQ2pL7mZ8rT4wY6uB1nC5dF0gHs"  # 32 bytes, random-looking


def prod(**extra: str) -> dict[str, str]:
    return {"DATACOLLECT_ENV": "production", "JWT_SECRET": STRONG, **extra}


def test_development_defaults(tmp_path: Path) -> None:
    s = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert (s.env, s.storage, s.host, s.port, s.log_format) == (
        "development",
        "sqlite",
        "127.0.0.1",
        3000,
        "console",
    )
    assert s.sqlite_path == tmp_path / "datacollect.sqlite3"
    assert (s.jwt_ttl_s, s.bcrypt_rounds, s.max_body_bytes) == (43200, 12, 10 * 1024 * 1024)
    assert (s.legacy_since_skew_s, s.idp_cache_ttl_s, s.auto_migrate) == (600.0, 60.0, True)
    assert s.db_pool_max >= s.web_threads


def test_development_jwt_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    first = Settings.from_env({"DATA_DIR": str(data)})
    second = Settings.from_env({"DATA_DIR": str(data)})
    secret_file = data / "jwt-secret"
    assert first.jwt_secret == second.jwt_secret == secret_file.read_text().strip()
    assert len(first.jwt_secret) >= 32
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600


def test_concurrent_first_starts_agree_on_one_secret(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path)}
    with ThreadPoolExecutor(8) as pool:
        secrets = {s.jwt_secret for s in pool.map(lambda _: Settings.from_env(env), range(16))}
    assert len(secrets) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jwt-secret"]


def test_world_readable_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "jwt-secret").write_text("x" * 40)
    (tmp_path / "jwt-secret").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        Settings.from_env({"DATA_DIR": str(tmp_path)})


def test_check_only_mode_writes_nothing(tmp_path: Path) -> None:
    s = Settings.from_env({"DATA_DIR": str(tmp_path / "d")}, create_files=False)
    assert s.jwt_secret_file == tmp_path / "d" / "jwt-secret"
    assert not (tmp_path / "d").exists()


def test_production_defaults_and_postgres_switch() -> None:
    s = Settings.from_env(prod(POSTGRES="postgresql://sync:pw@db:5432/sync"))
    assert (s.env, s.storage, s.host, s.log_format) == ("production", "postgres", "0.0.0.0", "json")
    assert s.jwt_secret_file is None


def test_production_refuses_missing_or_weak_jwt_secret() -> None:
    with pytest.raises(ConfigError, match="JWT_SECRET is required in production"):
        Settings.from_env({"DATACOLLECT_ENV": "production"})
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env(prod(JWT_SECRET="short-secret"))
    with pytest.raises(ConfigError, match="placeholder"):
        Settings.from_env(prod(JWT_SECRET="changeme-changeme-changeme-changeme"))


def test_refresh_tokens_must_outlive_access_tokens() -> None:
    with pytest.raises(ConfigError, match=r"REFRESH_TOKEN_TTL \(3600 s\) must be at least JWT_TTL"):
        Settings.from_env({"JWT_TTL": "2h", "REFRESH_TOKEN_TTL": "1h"})
    assert Settings.from_env({"REFRESH_TOKEN_TTL": "7d"}).refresh_token_ttl_s == 7 * 86400


def test_every_problem_is_listed_at_once() -> None:
    env = {
        "DATACOLLECT_ENV": "production",
        "PORT": "eighty",
        "POSTGRES": "mysql://x",
        "BCRYPT_ROUNDS": "8",
        "JWT_TTL": "soon",
        "LOG_FORMAT": "xml",
        "CORS_ORIGINS": "*",
        "ADMIN_PASSWORD": "short",
        "DB_POOL_MAX": "2",
    }
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    text = str(caught.value)
    for fragment in (
        "PORT='eighty'",
        "POSTGRES=<hidden>",
        "BCRYPT_ROUNDS=8",
        "JWT_TTL='soon'",
        "LOG_FORMAT='xml'",
        "CORS_ORIGINS=*",
        "ADMIN_PASSWORD is too short",
        "ADMIN_EMAIL and ADMIN_PASSWORD must be set together",
        "DB_POOL_MAX (2) must be at least WEB_THREADS",
        "JWT_SECRET is required",
    ):
        assert fragment in text
    assert len(caught.value.problems) == 10
    assert "mysql://x" not in text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("1.5", 1.5), ("500ms", 0.5), ("45s", 45.0), ("10m", 600.0), ("12h", 43200.0),
     ("1h30m", 5400.0), ("1d", 86400.0)],
)  # fmt: skip
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "12 hours", "1x", "-5s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_sizes_and_lists() -> None:
    assert [parse_size(t) for t in ("1024", "512k", "10MiB", "1g")] == [
        1024,
        512 * 1024,
        10 * 1024**2,
        1024**3,
    ]
    s = Settings.from_env(
        prod(
            CORS_ORIGINS=" https://admin.example.org, http://localhost:5173/ ",
            JWT_TTL="2h",
            MAX_BODY_BYTES="2MiB",
            AUTO_MIGRATE="off",
            PUBLIC_BASE_URL="https://sync.example.org/",
        )
    )
    assert s.cors_origins == ("https://admin.example.org", "http://localhost:5173")
    assert (s.jwt_ttl_s, s.max_body_bytes, s.auto_migrate) == (7200, 2 * 1024**2, False)
    assert s.public_base_url == "https://sync.example.org"


def test_admin_password_alias_and_development_default_email(tmp_path: Path) -> None:
    s = Settings.from_env({"DATA_DIR": str(tmp_path), "INITIAL_PASSWORD": "a-long-password"})
    assert (s.admin_email, s.admin_password) == ("admin@localhost", "a-long-password")
    with pytest.raises(ConfigError, match="INITIAL_PASSWORD"):
        Settings.from_env(
            {"DATA_DIR": str(tmp_path), "ADMIN_PASSWORD": "one-password", "INITIAL_PASSWORD": "two"}
        )


def test_secrets_never_appear_in_repr_or_summary() -> None:
    env = prod(
        POSTGRES="postgresql://sync:db-pass-123@db/sync",
        ADMIN_EMAIL="root@example.org",
        ADMIN_PASSWORD="admin-pass-123",
        SECRET_KEY=f"{STRONG}new, {STRONG}old",
    )
    s = Settings.from_env(env)
    shown = repr(s) + repr(s.summary())
    for secret in (STRONG, "db-pass-123", "admin-pass-123"):
        assert secret not in shown
    assert s.summary()["postgres_url"] == "postgresql://sync:***@db/sync"
    assert s.summary()["jwt_secret"] == "<set>"
    assert s.secret_keys == (f"{STRONG}new", f"{STRONG}old")
    assert s.summary()["secret_keys"] == "<2 set>"


def test_every_secret_key_must_be_strong() -> None:
    with pytest.raises(ConfigError, match=r"SECRET_KEY \(key 2\) is too short"):
        Settings.from_env(prod(SECRET_KEY=f"{STRONG},short"))


def test_settings_are_frozen(tmp_path: Path) -> None:
    s = Settings.from_env({"DATA_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]
