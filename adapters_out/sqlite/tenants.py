"""SQLite tenants (app configurations) and the deletion of all of a tenant's data."""

# ruff: noqa: S608 - SQL text is assembled only from this module's constants (column
# lists, fixed fragments); every value goes through a "?" parameter.

from __future__ import annotations

import sqlite3
from datetime import datetime

from adapters_out.sqlite.codec import dump, from_text_or_none, load, to_text_or_none
from domain.errors import AlreadyExists
from domain.tenants import Tenant
from ports.repositories import TenantQuery, TenantSummary

# Every table holding tenant data; deleting a tenant empties them all (one transaction).
TENANT_TABLES = (
    "entity_match_keys",
    "event_touches",
    "events",
    "feed_heads",
    "entities",
    "conflicts",
    "potential_duplicates",
    "quarantine",
    "audit_log",
    "external_outbox",
    "external_id_map",
    "pull_activity",
    "external_cursors",
    "external_runs",
    "external_callback_tokens",
    "feed_restores",
)

# ``version`` is copied out of the config on write: searching it needs no JSON parsing (and
# SQLite's JSON functions cut strings at an escaped NUL).
_TENANT_COLUMNS = "tenant_id, name, artifact_id, version, config, secrets, created_at, updated_at"
_ORDER = {
    "name": ["casefold(t.name)", "t.tenant_id"],
    "id": ["t.tenant_id"],
    "entitiesCount": ["entities_count", "t.tenant_id"],
}


def _tenant(row: sqlite3.Row) -> Tenant:
    return Tenant(
        id=row["tenant_id"],
        name=row["name"],
        artifact_id=row["artifact_id"],
        config=load(row["config"]),
        secrets=load(row["secrets"]),
        created_at=from_text_or_none(row["created_at"]),
        updated_at=from_text_or_none(row["updated_at"]),
    )


def _tenant_params(tenant: Tenant) -> tuple[object, ...]:
    return (
        tenant.id,
        tenant.name,
        tenant.artifact_id,
        tenant.version,
        dump(tenant.config, sort_keys=False),  # the document as the admin wrote it
        dump(tenant.secrets),
        to_text_or_none(tenant.created_at),
        to_text_or_none(tenant.updated_at),
    )


class SqliteTenants:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, tenant_id: str) -> Tenant | None:
        sql = f"SELECT {_TENANT_COLUMNS} FROM tenants WHERE tenant_id = ?"
        row = self._conn.execute(sql, (tenant_id,)).fetchone()
        return _tenant(row) if row else None

    def updated_at(self, tenant_id: str) -> datetime | None:
        row = self._conn.execute(
            "SELECT updated_at FROM tenants WHERE tenant_id = ?", (tenant_id,)
        ).fetchone()
        return None if row is None else from_text_or_none(row[0])

    def get_by_artifact(self, artifact_id: str) -> Tenant | None:
        sql = f"SELECT {_TENANT_COLUMNS} FROM tenants WHERE artifact_id = ? LIMIT 1"
        row = self._conn.execute(sql, (artifact_id,)).fetchone()
        return _tenant(row) if row else None

    def add(self, tenant: Tenant) -> None:
        try:
            self._conn.execute(
                f"INSERT INTO tenants ({_TENANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                _tenant_params(tenant),
            )
        except sqlite3.IntegrityError as error:
            if "tenants.tenant_id" not in str(error):
                raise
            raise AlreadyExists(
                f"configuration {tenant.id!r} already exists", code="tenant-exists"
            ) from error

    def update(self, tenant: Tenant) -> None:
        self._conn.execute(
            f"INSERT INTO tenants ({_TENANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name,"
            " artifact_id = excluded.artifact_id, version = excluded.version,"
            " config = excluded.config, secrets = excluded.secrets,"
            " created_at = excluded.created_at, updated_at = excluded.updated_at",
            _tenant_params(tenant),
        )

    def delete(self, tenant_id: str) -> bool:
        gone = self._conn.execute("DELETE FROM tenants WHERE tenant_id = ?", (tenant_id,))
        if gone.rowcount == 0:
            return False
        for table in TENANT_TABLES:  # names from the constant above, never from input
            self._conn.execute(f"DELETE FROM {table} WHERE tenant_id = ?", (tenant_id,))
        return True

    def list_ids(self) -> list[str]:
        rows = self._conn.execute("SELECT tenant_id FROM tenants ORDER BY tenant_id")
        return [row[0] for row in rows]

    def page(self, query: TenantQuery) -> tuple[list[TenantSummary], int]:
        needle = query.search.strip().casefold()
        conditions, params = [], {"needle": needle}
        if needle:
            conditions.append(
                "(instr(casefold(t.name), :needle) > 0"
                " OR instr(casefold(t.tenant_id), :needle) > 0"
                " OR instr(casefold(t.version), :needle) > 0)"
            )
        if query.ids is not None:
            names = [f"id{i}" for i in range(len(query.ids))]
            params.update(zip(names, query.ids, strict=True))
            conditions.append(
                f"t.tenant_id IN ({', '.join(':' + n for n in names)})" if names else "0 = 1"
            )
        where = "WHERE " + " AND ".join(conditions) if conditions else ""
        if query.page < 1 or query.page_size < 1:
            return [], self._total(where, params)
        direction = " DESC" if query.descending else ""
        order = ", ".join(column + direction for column in _ORDER[query.sort_by])
        columns = ", ".join("t." + c for c in _TENANT_COLUMNS.split(", "))
        count = (
            "(SELECT COUNT(*) FROM entities e"
            " WHERE e.tenant_id = t.tenant_id AND e.deleted = 0) AS entities_count"
        )
        if query.sort_by == "entitiesCount":  # the sort needs every tenant's count
            sql = (
                f"SELECT {columns}, {count} FROM tenants t {where}"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset"
            )
        else:  # pick the page first, then count only the tenants on it
            sql = (
                f"SELECT {columns}, {count} FROM (SELECT * FROM tenants t {where}"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset) AS t ORDER BY {order}"
            )
        rows = self._conn.execute(
            sql,
            {
                **params,
                "limit": query.page_size,
                "offset": (query.page - 1) * query.page_size,
            },
        ).fetchall()
        summaries = [
            TenantSummary(tenant=_tenant(row), entities_count=row["entities_count"]) for row in rows
        ]
        return summaries, self._total(where, params)

    def _total(self, where: str, params: dict[str, str]) -> int:
        sql = f"SELECT COUNT(*) FROM tenants t {where}"
        return int(self._conn.execute(sql, params).fetchone()[0])
