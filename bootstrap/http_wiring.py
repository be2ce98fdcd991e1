"""From the container and settings to what ``adapters_in.http.create_app`` takes."""

from __future__ import annotations

import punq

from adapters_in.http.config import HttpConfig
from adapters_in.http.services import HttpServices
from bootstrap.metrics import build_metrics
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase
from bootstrap.use_cases import use_case_resolver


def http_config(s: Settings) -> HttpConfig:
    return HttpConfig(
        max_body_bytes=s.max_body_bytes,
        cors_origins=s.cors_origins,
        cors_allow_credentials=s.cors_allow_credentials,
        rate_limit_per_ip=s.rate_limit_per_ip,
        rate_limit_per_user=s.rate_limit_per_user,
        login_attempts_per_email=s.login_attempts_per_email,
        login_attempts_per_ip=s.login_attempts_per_ip,
        login_window_s=s.login_window_s,
        public_base_url=s.public_base_url,
        trusted_proxy_count=s.trusted_proxy_count,
        docs_enabled=s.api_docs,
        token_ttl_s=s.jwt_ttl_s,
        refresh_token_ttl_s=s.refresh_token_ttl_s,
        metrics_token=s.metrics_token,
    )


def http_services(c: punq.Container) -> HttpServices:
    metrics, exporter = build_metrics(c.resolve(Settings), c.resolve(ManagedDatabase))
    return HttpServices(use=use_case_resolver(c), metrics=metrics, metrics_exporter=exporter)
