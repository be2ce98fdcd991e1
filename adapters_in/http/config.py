"""Plain values the HTTP layer needs; ``bootstrap`` builds this from ``Settings``.

Rate limits and login throttling are counted in the shared ``RateLimits`` store (the database
the server already uses), so they are exact across gunicorn workers and hosts. ``0`` disables
a limit.
"""

from __future__ import annotations

import attrs

MIB = 1024 * 1024


def _no_wildcard_with_credentials(instance: HttpConfig, _: attrs.Attribute, value: bool) -> None:
    if value and "*" in instance.cors_origins:
        raise ValueError("CORS: '*' cannot be combined with credentials; list the origins")


@attrs.frozen(kw_only=True)
class HttpConfig:
    max_body_bytes: int = 10 * MIB
    # CORS allow-list: exact origins such as "https://admin.example.org", or "*" for any.
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = attrs.field(
        default=False, validator=_no_wildcard_with_credentials
    )
    cors_max_age_s: int = 600
    # GCRA, requests per minute (a burst may use one minute's budget at once).
    rate_limit_per_ip: int = 1200
    rate_limit_per_user: int = 600
    # Failed logins allowed per ``login_window_s``: per (email, client IP), and per client IP.
    login_attempts_per_email: int = 5
    login_attempts_per_ip: int = 30
    login_window_s: int = 300
    # The tenant of a request without ``configId`` (compat: the legacy client may omit it).
    legacy_default_tenant: str = "default"
    # Where clients reach us (e.g. behind a proxy prefix); shown as the server in the API docs.
    public_base_url: str | None = None
    # How many reverse proxies append to X-Forwarded-For; 0 trusts none (use the socket peer).
    trusted_proxy_count: int = 0
    docs_enabled: bool = True
    # When set, GET /metrics requires ``Authorization: Bearer <metrics_token>``.
    metrics_token: str | None = attrs.field(default=None, repr=False)
    # Only for documentation: the lifetime the token issuer was configured with.
    token_ttl_s: int = 12 * 3600
    refresh_token_ttl_s: int = 30 * 86400
    api_version: str = "0.1.0"
