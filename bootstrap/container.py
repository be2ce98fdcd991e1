"""The composition root: the only place that names concrete adapters.

``build_container(settings)`` registers adapters as instances or lazily built singletons, and
the use cases that take a setting; every other use case is registered as a singleton on first
use (``bootstrap.use_cases``). Use cases are stateless, except ``Authenticate``'s token cache,
which must be shared by all the threads of a worker. Nothing here opens a connection: the database
is built closed, and each process opens its own (``bootstrap.storage.open_database``).
punq injects by constructor type hints; plain values go in as registration keyword arguments.
"""

from __future__ import annotations

import os
import socket

import punq

from adapters_out.external.http import Deadline
from adapters_out.external.registry import AdapterRegistry
from adapters_out.identity import UserinfoIdentityProvider
from adapters_out.qr.segno_renderer import SegnoQrRenderer
from adapters_out.secrets.boxes import FernetSecretBox, PlainSecretBox
from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from adapters_out.security.opaque_tokens import RandomOpaqueTokens
from adapters_out.similarity import rapidfuzz_similarity
from adapters_out.system import RandomIds, SystemClock
from application import authenticate, sessions, tenants
from application.duplicate_detection import DuplicateDetector
from application.external_sync import ExternalSyncOptions, RunExternalSync
from application.leases import Leases
from application.pull import PullEvents
from application.pull_activity import PullActivity
from application.retention import Cleanup, RetentionPolicy
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase, build_database, build_rate_limits
from domain.cursor import CursorCodec
from domain.event_types import EventTypes
from ports.clock import Clock, IdGenerator
from ports.external import ExternalSystems
from ports.limits import RateLimits
from ports.qr import QrRenderer
from ports.repositories import DatabaseHealth, UnitOfWorkFactory
from ports.secrets import SecretBox
from ports.security import IdentityProvider, OpaqueTokens, PasswordHasher, TokenIssuer

SINGLETON = punq.Scope.singleton


def build_container(settings: Settings, database: ManagedDatabase | None = None) -> punq.Container:
    c = punq.Container()
    c.register(Settings, instance=settings)
    db = database if database is not None else build_database(settings)
    c.register(ManagedDatabase, instance=db)
    c.register(UnitOfWorkFactory, instance=db)
    c.register(DatabaseHealth, instance=db)
    c.register(RateLimits, instance=build_rate_limits(settings, db))
    clock = SystemClock()
    c.register(Clock, instance=clock)
    c.register(IdGenerator, instance=RandomIds())

    # Lazily built: bcrypt computes a dummy hash at construction (a CLI `migrate` never needs it).
    c.register(PasswordHasher, BcryptPasswordHasher, scope=SINGLETON, cost=settings.bcrypt_rounds)
    c.register(
        TokenIssuer,
        instance=JwtTokenIssuer(settings.jwt_secret, clock, ttl_s=settings.jwt_ttl_s),
    )
    c.register(OpaqueTokens, instance=RandomOpaqueTokens())
    c.register(
        IdentityProvider,
        UserinfoIdentityProvider,
        scope=SINGLETON,
        cache_ttl_s=settings.idp_cache_ttl_s,
        deadline_s=settings.idp_timeout_s,
        # Never more than half the request threads, so waiting checks cannot starve the rest.
        max_concurrent=min(settings.idp_max_concurrent, max(1, settings.web_threads // 2)),
    )
    c.register(SecretBox, instance=_secret_box(settings))
    c.register(QrRenderer, SegnoQrRenderer, scope=SINGLETON)

    c.register(EventTypes, instance=EventTypes())
    c.register(DuplicateDetector, instance=DuplicateDetector(rapidfuzz_similarity))
    registry = AdapterRegistry.from_entry_points()
    c.register(ExternalSystems, instance=registry)
    c.register(
        tenants.TenantConfigRules,
        instance=tenants.TenantConfigRules(sync_types=registry.names()),
    )
    c.register(Leases, scope=SINGLETON)
    c.register(CursorCodec, instance=CursorCodec.from_secret(settings.jwt_secret))
    activity = PullActivity(db, clock, flush_interval_s=settings.pull_activity_flush_s)
    c.register(PullActivity, instance=activity)
    cleanup = Cleanup(
        db,
        c.resolve(Leases),
        clock,
        RetentionPolicy(ages_s=dict(settings.retention_ages_s)),
        runner=f"{socket.gethostname()}:{os.getpid()}",
    )
    c.register(Cleanup, instance=cleanup)
    c.register(
        PullEvents,
        scope=SINGLETON,
        legacy_skew_s=settings.legacy_since_skew_s,
        activity=activity,
        max_page_bytes=settings.pull_page_max_bytes,
    )
    # Other application classes are registered on first use (bootstrap.use_cases).
    c.register(sessions.SessionTokens, scope=SINGLETON, refresh_ttl_s=settings.refresh_token_ttl_s)
    c.register(
        RunExternalSync,
        scope=SINGLETON,
        deadlines=Deadline,
        options=ExternalSyncOptions(deadline_s=settings.external_sync_deadline_s),
    )
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
