"""The SQLite unit of work: one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from adapters_out.sqlite.conflicts import SqliteConflicts
from adapters_out.sqlite.duplicates import SqliteDuplicates
from adapters_out.sqlite.entities import SqliteEntities
from adapters_out.sqlite.events import SqliteEvents
from adapters_out.sqlite.external import SqliteExternal
from adapters_out.sqlite.leases import SqliteLeases
from adapters_out.sqlite.operations import (
    SqliteFeedRestores,
    SqliteJobRuns,
    SqlitePullActivity,
    SqliteRetention,
)
from adapters_out.sqlite.records import SqliteAudit, SqliteQuarantine
from adapters_out.sqlite.refresh_tokens import SqliteRefreshTokens
from adapters_out.sqlite.tenants import SqliteTenants
from adapters_out.sqlite.users import SqliteUsers


class SqliteUnitOfWork:
    """Repositories over one connection whose transaction the factory opened. ``commit()``
    marks the work as wanted; the factory commits when the block ends without an error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.tenants = SqliteTenants(conn)
        self.users = SqliteUsers(conn)
        self.events = SqliteEvents(conn)
        self.entities = SqliteEntities(conn)
        self.conflicts = SqliteConflicts(conn)
        self.duplicates = SqliteDuplicates(conn)
        self.quarantine = SqliteQuarantine(conn)
        self.audit = SqliteAudit(conn)
        self.leases = SqliteLeases(conn)
        self.retention = SqliteRetention(conn)
        self.pull_activity = SqlitePullActivity(conn)
        self.job_runs = SqliteJobRuns(conn)
        self.refresh_tokens = SqliteRefreshTokens(conn)
        self.external = SqliteExternal(conn)
        self.feed_restores = SqliteFeedRestores(conn)
        self.committed = False

    def lock_entities(self, tenant_id: str, guids: Collection[str]) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` took SQLite's single write lock for the whole
        unit of work, which already serialises every writer (so also the ones that change
        these entities), and makes seq order equal commit order."""

    def commit(self) -> None:
        self.committed = True
