"""The use cases of a test app, built from the ports a test chooses (storage, clock, fakes).

The same rule as production (``bootstrap.use_cases``): ports are registered here, every use case
is found by its class on first use, so a test never lists use cases by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import punq

from adapters_out.external.http import Deadline
from adapters_out.external.registry import AdapterRegistry
from adapters_out.memory.limits import MemoryRateLimits
from adapters_out.qr.segno_renderer import SegnoQrRenderer
from adapters_out.secrets.boxes import FernetSecretBox
from adapters_out.security.opaque_tokens import RandomOpaqueTokens
from application.duplicate_detection import DuplicateDetector
from application.external_sync import ExternalSyncOptions, RunExternalSync
from application.leases import Leases
from application.pull import PullEvents
from application.pull_activity import PullActivity
from application.retention import Cleanup, RetentionPolicy
from application.tenants import TenantConfigRules
from bootstrap.use_cases import use_case_resolver
from domain.cursor import CursorCodec
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from ports.clock import Clock, IdGenerator
from ports.external import ExternalSystems
from ports.limits import RateLimits
from ports.qr import QrRenderer
from ports.repositories import DatabaseHealth, UnitOfWorkFactory
from ports.secrets import SecretBox
from ports.security import IdentityProvider, OpaqueTokens, PasswordHasher, TokenIssuer
from tests.support.cursors import CURSORS


def wire_use_cases(
    *,
    db: Any,
    clock: Clock,
    ids: IdGenerator,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    identities: IdentityProvider,
    health: DatabaseHealth | None = None,
    rate_limits: RateLimits | None = None,
) -> Callable[[type[Any]], Any]:
    c = punq.Container()
    c.register(UnitOfWorkFactory, instance=db)
    c.register(DatabaseHealth, instance=health if health is not None else db)
    c.register(Clock, instance=clock)
    c.register(IdGenerator, instance=ids)
    c.register(PasswordHasher, instance=hasher)
    c.register(TokenIssuer, instance=tokens)
    c.register(OpaqueTokens, instance=RandomOpaqueTokens())
    c.register(RateLimits, instance=rate_limits if rate_limits is not None else MemoryRateLimits())
    c.register(IdentityProvider, instance=identities)
    c.register(SecretBox, instance=FernetSecretBox(["test-secret-key"]))
    c.register(QrRenderer, instance=SegnoQrRenderer())
    c.register(EventTypes, instance=EventTypes())
    c.register(DuplicateDetector, instance=DuplicateDetector(stdlib_similarity))
    c.register(TenantConfigRules, instance=TenantConfigRules())
    c.register(CursorCodec, instance=CURSORS)
    activity = PullActivity(db, clock)
    c.register(PullActivity, instance=activity)
    c.register(PullEvents, scope=punq.Scope.singleton, activity=activity)
    leases = Leases(db, clock, ids)
    c.register(Leases, instance=leases)
    c.register(Cleanup, instance=Cleanup(db, leases, clock, RetentionPolicy.defaults()))
    c.register(ExternalSystems, instance=AdapterRegistry.from_entry_points())
    c.register(
        RunExternalSync,
        scope=punq.Scope.singleton,
        deadlines=Deadline,
        options=ExternalSyncOptions(deadline_s=10.0),
    )
    return use_case_resolver(c)
