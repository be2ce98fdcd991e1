"""SQLite storage: the embedded default (one file, WAL mode, stdlib ``sqlite3`` only)."""

from adapters_out.sqlite.database import SqliteDatabase

__all__ = ["SqliteDatabase"]
