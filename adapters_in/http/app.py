"""The Falcon WSGI app: middleware, error rendering, and every route module.

``create_app`` receives its collaborators explicitly (``HttpServices``, ``HttpConfig``) and
never sees the container, so tests build it by hand. Middleware order matters: Falcon runs
``process_request`` top-down, ``process_resource`` top-down after routing, and
``process_response`` bottom-up, so the request id is set first and cleared last, and CORS
headers are added to every response, errors included.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import falcon
import falcon.media
from falcon.routing import CompiledRouter

from adapters_in.http import problems
from adapters_in.http.config import HttpConfig
from adapters_in.http.converter import make_converter
from adapters_in.http.data_out import data_out_routes
from adapters_in.http.external import external_routes
from adapters_in.http.middleware.authentication import AuthenticationMiddleware
from adapters_in.http.middleware.body_limit import BodyLimitMiddleware
from adapters_in.http.middleware.cors import CorsMiddleware
from adapters_in.http.middleware.limits import IpRateLimitMiddleware, UserRateLimitMiddleware
from adapters_in.http.middleware.metrics import MetricsMiddleware
from adapters_in.http.middleware.request_context import AccessLogMiddleware, RequestIdMiddleware
from adapters_in.http.openapi.document import build_document
from adapters_in.http.resources import audit_logs, docs, health, operations, sync, users
from adapters_in.http.routing import HttpKit, RouteModule
from adapters_in.http.services import HttpServices
from adapters_in.http.tenants import tenant_routes
from application.authenticate import Authenticate
from ports.limits import RateLimits


def _middleware(services: HttpServices, config: HttpConfig, router: CompiledRouter) -> list[Any]:
    chain: list[Any] = [
        MetricsMiddleware(services.metrics, router),  # first in, last out: the final status
        RequestIdMiddleware(),
        AccessLogMiddleware(),
        CorsMiddleware(config.cors_origins, config.cors_allow_credentials, config.cors_max_age_s),
        BodyLimitMiddleware(config.max_body_bytes),
    ]
    if config.rate_limit_per_ip > 0:
        chain.append(
            IpRateLimitMiddleware(
                services.use(RateLimits), config.rate_limit_per_ip, config.trusted_proxy_count
            )
        )
    chain.append(AuthenticationMiddleware(services.use(Authenticate), config.legacy_default_tenant))
    if config.rate_limit_per_user > 0:
        chain.append(UserRateLimitMiddleware(services.use(RateLimits), config.rate_limit_per_user))
    return chain


def create_app(services: HttpServices, config: HttpConfig) -> falcon.App:
    router = CompiledRouter()
    app = falcon.App(middleware=_middleware(services, config, router), router=router)
    # JSON in (protocol: General); multipart stays for config uploads. A form-encoded body
    # would otherwise be parsed into a dict and reach the resources.
    app.req_options.media_handlers.pop(falcon.MEDIA_URLENCODED, None)
    # Out: strict RFC 8259 only. NaN/Infinity are never stored (domain.json_values refuses
    # them on the way in), so a non-finite number here is a bug to surface, not to serialise.
    # In: Python's reader still accepts NaN/Infinity/1e999 so that a push can reject exactly
    # the event holding one (a refused batch would be re-sent by the device forever).
    strict = falcon.media.JSONHandler(
        dumps=functools.partial(json.dumps, ensure_ascii=False, allow_nan=False)
    )
    app.req_options.media_handlers[falcon.MEDIA_JSON] = strict
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = strict
    # Express (upstream) routes "/api/users/" like "/api/users"; clients may rely on it.
    app.req_options.strip_url_path_trailing_slash = True
    problems.install(app)
    kit = HttpKit(
        config=config,
        wire=make_converter(forbid_extra_keys=False),
        strict=make_converter(forbid_extra_keys=True),
        resolve=services.use,
        metrics=services.metrics,
    )
    modules: list[RouteModule] = [
        health.routes(),
        operations.routes(services.metrics_exporter),
        users.routes(),
        sync.routes(),
        audit_logs.routes(),
        tenant_routes(),
        external_routes(),
        data_out_routes(),
        *services.extra_routes,
    ]
    if config.docs_enabled:
        modules.append(docs.routes(lambda: build_document(modules, config)))
    for module in modules:
        module.register(app, kit)
    build_document(modules, config)  # fail at start-up, not on the first docs request
    return app
