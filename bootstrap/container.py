"""The composition root: the only place that names concrete adapters.

``build_container(settings)`` registers adapters as instances or lazily built singletons and
every use case as a singleton (they are stateless, except ``Authenticate``'s token cache, which
must be shared by all the threads of a worker). Nothing here opens a connection: the database
is built closed, and each process opens its own (``bootstrap.storage.open_database``).
punq injects by constructor type hints; plain values go in as registration keyword arguments.
"""

from __future__ import annotations

import punq

from adapters_out.identity import UserinfoIdentityProvider
from adapters_out.qr.segno_renderer import SegnoQrRenderer
from adapters_out.secrets.boxes import FernetSecretBox, PlainSecretBox
from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from adapters_out.similarity import rapidfuzz_similarity
from adapters_out.system import RandomIds, SystemClock
from application import (
    artifacts,
    audit_logs,
    authenticate,
    entities,
    quarantine,
    review_conflicts,
    review_duplicates,
    review_quarantine,
    server_events,
    sync_status,
    tenant_reads,
    tenant_seeding,
    tenants,
    user_admin,
    users,
)
from application.duplicate_detection import DuplicateDetector
from application.leases import Leases
from application.pull import PullEvents
from application.push import PushEvents
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase, build_database
from domain.event_types import EventTypes
from ports.clock import Clock, IdGenerator
from ports.qr import QrRenderer
from ports.repositories import DatabaseHealth, UnitOfWorkFactory
from ports.secrets import SecretBox
from ports.security import IdentityProvider, PasswordHasher, TokenIssuer

SINGLETON = punq.Scope.singleton

USE_CASES: tuple[type, ...] = (
    users.Login,
    user_admin.ManageUsers,
    users.CurrentUser,
    users.EnsureInitialAdmin,
    authenticate.CheckTenantAccess,
    PushEvents,
    quarantine.ListRejectedEvents,
    audit_logs.PushAuditLogs,
    audit_logs.PullAuditLogs,
    entities.ListEntities,
    entities.CountEntities,
    entities.CountEntitiesByForm,
    entities.GetEntity,
    entities.EntityEvents,
    server_events.IssueServerEvent,
    review_duplicates.ListDuplicates,
    review_duplicates.ResolveDuplicate,
    review_conflicts.ListConflicts,
    review_conflicts.ResolveConflict,
    review_quarantine.RetryRejected,
    review_quarantine.DiscardRejected,
    tenant_seeding.SeedEntities,
    tenants.CreateApp,
    tenants.UpdateApp,
    tenants.DeleteApp,
    tenant_reads.ListApps,
    tenant_reads.GetApp,
    tenant_reads.ExportApp,
    artifacts.GetArtifact,
    artifacts.RenderArtifactQr,
    sync_status.SyncStatus,
)


def build_container(settings: Settings, database: ManagedDatabase | None = None) -> punq.Container:
    c = punq.Container()
    c.register(Settings, instance=settings)
    db = database if database is not None else build_database(settings)
    c.register(ManagedDatabase, instance=db)
    c.register(UnitOfWorkFactory, instance=db)
    c.register(DatabaseHealth, instance=db)
    clock = SystemClock()
    c.register(Clock, instance=clock)
    c.register(IdGenerator, instance=RandomIds())

    # Lazily built: bcrypt computes a dummy hash at construction (a CLI `migrate` never needs it).
    c.register(PasswordHasher, BcryptPasswordHasher, scope=SINGLETON, cost=settings.bcrypt_rounds)
    c.register(
        TokenIssuer,
        instance=JwtTokenIssuer(settings.jwt_secret, clock, ttl_s=settings.jwt_ttl_s),
    )
    c.register(
        IdentityProvider,
        UserinfoIdentityProvider,
        scope=SINGLETON,
        cache_ttl_s=settings.idp_cache_ttl_s,
    )
    c.register(SecretBox, instance=_secret_box(settings))
    c.register(QrRenderer, SegnoQrRenderer, scope=SINGLETON)

    c.register(EventTypes, instance=EventTypes())
    c.register(DuplicateDetector, instance=DuplicateDetector(rapidfuzz_similarity))
    c.register(tenants.AppConfigRules, instance=tenants.AppConfigRules())
    c.register(Leases, scope=SINGLETON)
    for use_case in USE_CASES:
        c.register(use_case, scope=SINGLETON)
    c.register(PullEvents, scope=SINGLETON, legacy_skew_s=settings.legacy_since_skew_s)
    c.register(
        authenticate.Authenticate,
        scope=SINGLETON,
        provider_cache_ttl_s=settings.idp_cache_ttl_s,
    )
    return c


def _secret_box(settings: Settings) -> SecretBox:
    if settings.secret_keys:
        return FernetSecretBox(settings.secret_keys)
    return PlainSecretBox(warn=settings.is_production)
