"""The PostgreSQL unit of work: one session (connection and transaction) for all repositories."""

from __future__ import annotations

from collections.abc import Collection

from adapters_out.postgres.conflicts import PgConflicts
from adapters_out.postgres.duplicates import PgDuplicates
from adapters_out.postgres.entities import PgEntities
from adapters_out.postgres.events import PgEvents
from adapters_out.postgres.external import PgExternal
from adapters_out.postgres.leases import PgLeases
from adapters_out.postgres.operations import (
    PgFeedRestores,
    PgJobRuns,
    PgPullActivity,
    PgRetention,
)
from adapters_out.postgres.records import PgAudit, PgQuarantine
from adapters_out.postgres.refresh_tokens import PgRefreshTokens
from adapters_out.postgres.session import Session
from adapters_out.postgres.tenants import PgTenants
from adapters_out.postgres.users import PgUsers

# One transaction-scoped advisory lock per (tenant, entity), keyed by a 64-bit hash. A hash
# collision only makes two unrelated pushes wait for each other, never breaks anything. The
# aggregate evaluates the locks in array order (sorted by the caller), in one round trip.
_LOCK_ENTITIES = (
    "SELECT count(pg_advisory_xact_lock(hashtextextended(%s || chr(31) || g, 0)))"
    " FROM unnest(%b::text[]) AS g"
)


class PgUnitOfWork:
    def __init__(self, session: Session) -> None:
        self.tenants = PgTenants(session)
        self.users = PgUsers(session)
        self.events = PgEvents(session)
        self.entities = PgEntities(session)
        self.conflicts = PgConflicts(session)
        self.duplicates = PgDuplicates(session)
        self.quarantine = PgQuarantine(session)
        self.audit = PgAudit(session)
        self.leases = PgLeases(session)
        self.retention = PgRetention(session)
        self.pull_activity = PgPullActivity(session)
        self.job_runs = PgJobRuns(session)
        self.refresh_tokens = PgRefreshTokens(session)
        self.external = PgExternal(session)
        self.feed_restores = PgFeedRestores(session)
        self.committed = False
        self._db = session

    def lock_entities(self, tenant_id: str, guids: Collection[str]) -> None:
        # Sorted, so that two units of work locking overlapping sets cannot deadlock (within
        # one call; a later call with more guids may, and PostgreSQL then aborts one of them
        # with deadlock_detected, which becomes TransientConflict and a retry).
        ordered = sorted(set(guids))
        if ordered:
            self._db.write(_LOCK_ENTITIES, (tenant_id, ordered))

    def commit(self) -> None:
        """Mark for commit: the transaction commits when the unit of work's block ends."""
        self.committed = True
