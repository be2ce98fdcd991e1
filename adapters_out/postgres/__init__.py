"""PostgreSQL storage (production): every port of ``ports.repositories`` on psycopg 3."""

from adapters_out.postgres.database import PostgresDatabase
from adapters_out.postgres.errors import StorageError

__all__ = ["PostgresDatabase", "StorageError"]
