"""Settings: one frozen object, read from the environment once at start-up and validated there.

Every problem is reported at once in a ``ConfigError``; nothing is read from the environment
after start-up. Secrets are ``repr=False`` so they never reach a log line. The README's
"Configuration" section documents every variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, TypeVar

import attrs

from application.retention import TARGETS as RETENTION_TARGETS
from bootstrap.env import (
    Reader,
    choice,
    parse_bool,
    parse_csv,
    parse_duration,
    parse_http_url,
    parse_int,
    parse_log_level,
    parse_origin,
    parse_origins,
    parse_postgres_url,
    parse_size,
)
from bootstrap.secret_file import read_or_create_secret
from bootstrap.settings_checks import check_settings

N = TypeVar("N", int, float)

Env = Literal["development", "production"]
LogFormat = Literal["json", "console"]
DEV_ADMIN_EMAIL = "admin@localhost"
JWT_SECRET_FILE = "jwt-secret"
SQLITE_FILE = "datacollect.sqlite3"


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@attrs.frozen(kw_only=True)
class Settings:
    env: Env = "development"
    data_dir: Path = Path("data")
    postgres_url: str | None = attrs.field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 3000
    jwt_secret: str = attrs.field(repr=False)
    jwt_secret_file: Path | None = None  # set when the secret was generated and kept on disk
    jwt_ttl_s: int = 12 * 3600
    refresh_token_ttl_s: int = 30 * 86400
    cors_origins: tuple[str, ...] = ()
    bcrypt_rounds: int = 12
    log_level: str = "INFO"
    log_format: LogFormat = "console"
    public_base_url: str | None = None
    db_pool_min: int = 1
    db_pool_max: int = 10
    db_timeout_s: float = 5.0
    web_concurrency: int = 2
    web_threads: int = 8
    rate_limit_per_ip: int = 1200  # requests per minute; 0 = no limit
    rate_limit_per_user: int = 600
    login_attempts_per_email: int = 5  # failed logins per window and email
    login_attempts_per_ip: int = 30  # login attempts per window and client IP
    login_window_s: int = 300
    trusted_proxy_count: int = 0  # reverse proxies that append to X-Forwarded-For
    cors_allow_credentials: bool = False
    api_docs: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    legacy_since_skew_s: float = 600.0
    pull_page_max_bytes: int = 8 * 1024 * 1024
    auto_migrate: bool = True
    admin_email: str | None = None
    admin_password: str | None = attrs.field(default=None, repr=False)
    idp_cache_ttl_s: float = 60.0
    idp_timeout_s: float = 5.0  # overall deadline of one identity-provider check
    idp_max_concurrent: int = 4  # outbound checks in flight per worker process; beyond: 503
    secret_keys: tuple[str, ...] = attrs.field(default=(), repr=False)  # newest first
    metrics_enabled: bool = True
    metrics_token: str | None = attrs.field(default=None, repr=False)
    retention_interval_s: float = 3600.0  # 0: the server never runs the cleanup by itself
    retention_ages_s: tuple[tuple[str, float], ...] = tuple(
        (t.name, t.default_age_s) for t in RETENTION_TARGETS
    )
    pull_activity_flush_s: float = 60.0
    external_sync_deadline_s: float = 120.0

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def storage(self) -> Literal["postgres", "sqlite"]:
        return "postgres" if self.postgres_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE

    @property
    def local_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, create_files: bool = True
    ) -> Settings:
        """Read and validate; raise ``ConfigError`` listing every problem.

        ``create_files=False`` (``check-config``) never writes: a missing development JWT
        secret is then reported as "would be generated" instead of created."""
        r = Reader(os.environ if env is None else env)
        mode = r.get("DATACOLLECT_ENV", choice("development", "production"), "development")
        prod = mode == "production"
        data_dir = Path(r.get("DATA_DIR", str, "./data")).expanduser()
        threads = r.get("WEB_THREADS", parse_int, 8)
        values = dict(
            env=mode,
            data_dir=data_dir,
            postgres_url=r.get("POSTGRES", parse_postgres_url, None),
            host=r.get("HOST", str.strip, "0.0.0.0" if prod else "127.0.0.1"),  # noqa: S104
            port=r.get("PORT", parse_int, 3000),
            jwt_ttl_s=round(r.get("JWT_TTL", parse_duration, 12 * 3600.0)),
            refresh_token_ttl_s=round(r.get("REFRESH_TOKEN_TTL", parse_duration, 30 * 86400.0)),
            cors_origins=tuple(parse_origin(o) for o in r.get("CORS_ORIGINS", parse_origins, ())),
            bcrypt_rounds=r.get("BCRYPT_ROUNDS", parse_int, 12),
            log_level=r.get("LOG_LEVEL", parse_log_level, "INFO"),
            log_format=r.get(
                "LOG_FORMAT", choice("json", "console"), "json" if prod else "console"
            ),
            public_base_url=r.get("PUBLIC_BASE_URL", parse_http_url, None),
            db_pool_min=r.get("DB_POOL_MIN", parse_int, 1),
            db_pool_max=r.get("DB_POOL_MAX", parse_int, threads + 2),
            db_timeout_s=r.get("DB_TIMEOUT", parse_duration, 5.0),
            web_concurrency=r.get("WEB_CONCURRENCY", parse_int, _default_workers(prod)),
            web_threads=threads,
            rate_limit_per_ip=r.get("RATE_LIMIT_PER_IP", parse_int, 1200),
            rate_limit_per_user=r.get("RATE_LIMIT_PER_USER", parse_int, 600),
            login_attempts_per_email=r.get("LOGIN_ATTEMPTS_PER_EMAIL", parse_int, 5),
            login_attempts_per_ip=r.get("LOGIN_ATTEMPTS_PER_IP", parse_int, 30),
            login_window_s=round(r.get("LOGIN_WINDOW", parse_duration, 300.0)),
            trusted_proxy_count=r.get("TRUSTED_PROXY_COUNT", parse_int, 0),
            cors_allow_credentials=r.get("CORS_ALLOW_CREDENTIALS", parse_bool, False),
            api_docs=r.get("API_DOCS", parse_bool, True),
            max_body_bytes=r.get("MAX_BODY_BYTES", parse_size, 10 * 1024 * 1024),
            legacy_since_skew_s=r.get("LEGACY_SINCE_SKEW", parse_duration, 600.0),
            pull_page_max_bytes=r.get("PULL_PAGE_MAX_BYTES", parse_size, 8 * 1024 * 1024),
            auto_migrate=r.get("AUTO_MIGRATE", parse_bool, True),
            admin_email=r.raw("ADMIN_EMAIL"),
            admin_password=_admin_password(r),
            idp_cache_ttl_s=r.get("IDP_CACHE_TTL", parse_duration, 60.0),
            idp_timeout_s=_positive(r, "IDP_TIMEOUT", parse_duration, 5.0),
            idp_max_concurrent=_positive(r, "IDP_MAX_CONCURRENT", parse_int, 4),
            secret_keys=r.get("SECRET_KEY", parse_csv, ()),
            metrics_enabled=r.get("METRICS_ENABLED", parse_bool, True),
            metrics_token=r.raw("METRICS_TOKEN"),
            retention_interval_s=r.get("RETENTION_INTERVAL", parse_duration, 3600.0),
            retention_ages_s=tuple(
                (t.name, r.get(t.setting, parse_duration, t.default_age_s))
                for t in RETENTION_TARGETS
            ),
            pull_activity_flush_s=r.get("PULL_ACTIVITY_FLUSH", parse_duration, 60.0),
            external_sync_deadline_s=r.get("EXTERNAL_SYNC_DEADLINE", parse_duration, 120.0),
        )
        values.update(_jwt_secret(r, prod, data_dir, create_files))
        check_settings(r, values)
        if r.problems:
            raise ConfigError(r.problems)
        if prod is False and values["admin_password"] and not values["admin_email"]:
            values["admin_email"] = DEV_ADMIN_EMAIL
        return cls(**values)  # type: ignore[arg-type]

    def summary(self) -> dict[str, object]:
        """What ``check-config`` prints: every setting, secrets masked."""
        shown = attrs.asdict(self, recurse=False)
        for name in ("jwt_secret", "admin_password", "metrics_token"):
            shown[name] = "<set>" if shown[name] else None
        shown["secret_keys"] = f"<{len(self.secret_keys)} set>" if self.secret_keys else None
        shown["postgres_url"] = mask_url(self.postgres_url)
        shown["storage"] = self.storage
        return {k: str(v) if isinstance(v, Path) else v for k, v in shown.items()}


def _default_workers(prod: bool) -> int:
    return (os.cpu_count() or 1) * 2 + 1 if prod else 2


def _positive(r: Reader, name: str, parse: Callable[[str], N], default: N) -> N:
    value = r.get(name, parse, default)
    r.check(value > 0, f"{name}: must be greater than 0")
    return value if value > 0 else default


def _admin_password(r: Reader) -> str | None:
    main, alias = r.raw("ADMIN_PASSWORD"), r.raw("INITIAL_PASSWORD")
    r.check(
        main is None or alias is None or main == alias,
        "ADMIN_PASSWORD and INITIAL_PASSWORD (its alias) are both set, to different values",
    )
    return main or alias


def _jwt_secret(r: Reader, prod: bool, data_dir: Path, create: bool) -> dict[str, object]:
    given = r.raw("JWT_SECRET")
    if given is not None or prod:
        return {"jwt_secret": given or "", "jwt_secret_file": None}
    path = data_dir / JWT_SECRET_FILE
    if not create and not path.exists():
        return {"jwt_secret": "<generated on first start>", "jwt_secret_file": path}
    try:
        return {"jwt_secret": read_or_create_secret(path), "jwt_secret_file": path}
    except OSError as error:
        r.problems.append(f"JWT_SECRET: cannot keep a generated secret in {path}: {error}")
        return {"jwt_secret": "", "jwt_secret_file": path}


def mask_url(url: str | None) -> str | None:
    if not url or "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
