"""Errors that adapters raise and the application understands (no driver types leak out)."""

from __future__ import annotations


class StorageUnavailable(Exception):
    """The database cannot be reached or the pool is exhausted: try again later (HTTP 503)."""

    def __init__(self, message: str = "the database is unavailable", retry_after_s: int = 5):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TransientConflict(Exception):
    """A deadlock or serialisation failure: the whole unit of work may simply be retried."""


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of this server."""


class IdentityProviderBusy(Exception):
    """Too many identity-provider checks are in flight already: try again later (HTTP 503)."""

    def __init__(
        self, message: str = "the identity provider checks are saturated", retry_after_s: int = 2
    ):
        super().__init__(message)
        self.retry_after_s = retry_after_s
