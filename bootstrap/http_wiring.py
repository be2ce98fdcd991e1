"""From the container and settings to what ``adapters_in.http.create_app`` takes."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs
import punq

from adapters_in.http.config import HttpConfig
from adapters_in.http.services import HttpServices
from adapters_in.http.tenants import TenantServices, tenant_routes
from application import (
    artifacts,
    audit_logs,
    authenticate,
    entities,
    quarantine,
    review_conflicts,
    review_duplicates,
    review_quarantine,
    sync_status,
    tenant_reads,
    tenants,
    user_admin,
    users,
)
from application.pull import PullEvents
from application.push import PushEvents
from bootstrap.metrics import build_metrics
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase
from ports.repositories import DatabaseHealth

T = TypeVar("T")

# Field name -> use case, for the classes whose fields are all use cases.
_TENANT_FIELDS: dict[str, type] = {
    "list_apps": tenant_reads.ListApps,
    "get_app": tenant_reads.GetApp,
    "create_app": tenants.CreateApp,
    "update_app": tenants.UpdateApp,
    "delete_app": tenants.DeleteApp,
    "get_artifact": artifacts.GetArtifact,
    "artifact_qr": artifacts.RenderArtifactQr,
    "list_entities": entities.ListEntities,
    "count_entities": entities.CountEntities,
    "count_by_form": entities.CountEntitiesByForm,
    "get_entity": entities.GetEntity,
    "entity_events": entities.EntityEvents,
    "list_duplicates": review_duplicates.ListDuplicates,
    "resolve_duplicate": review_duplicates.ResolveDuplicate,
    "list_conflicts": review_conflicts.ListConflicts,
    "resolve_conflict": review_conflicts.ResolveConflict,
    "retry_rejected": review_quarantine.RetryRejected,
    "discard_rejected": review_quarantine.DiscardRejected,
}
_CORE_FIELDS: dict[str, Any] = {
    "login": users.Login,
    "users": user_admin.ManageUsers,
    "current_user": users.CurrentUser,
    "authenticate": authenticate.Authenticate,
    "push": PushEvents,
    "pull": PullEvents,
    "push_audit_logs": audit_logs.PushAuditLogs,
    "pull_audit_logs": audit_logs.PullAuditLogs,
    "rejected_events": quarantine.ListRejectedEvents,
    "tenant_access": authenticate.CheckTenantAccess,
    "health": DatabaseHealth,
    "sync_status": sync_status.SyncStatus,
}


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
        metrics_token=s.metrics_token,
    )


def http_services(c: punq.Container) -> HttpServices:
    tenant_services = _resolve_fields(c, TenantServices, _TENANT_FIELDS)
    metrics, exporter = build_metrics(c.resolve(Settings), c.resolve(ManagedDatabase))
    return _resolve_fields(
        c,
        HttpServices,
        _CORE_FIELDS,
        extra_routes=(tenant_routes(tenant_services),),
        metrics=metrics,
        metrics_exporter=exporter,
    )


def _resolve_fields(c: punq.Container, cls: type[T], fields: dict[str, Any], **extra: Any) -> T:
    missing = {f.name for f in attrs.fields(cls)} - set(fields) - set(extra)  # type: ignore[arg-type]
    required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}  # type: ignore[arg-type]
    if missing & required:
        raise TypeError(f"{cls.__name__}: no wiring for {sorted(missing & required)}")
    return cls(**{name: c.resolve(key) for name, key in fields.items()}, **extra)
