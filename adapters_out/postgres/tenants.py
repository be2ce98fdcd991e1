"""PostgreSQL tenants (app configurations); deleting one deletes all of its data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import sql

from adapters_out.postgres.codec import jsonb
from adapters_out.postgres.session import Session
from adapters_out.postgres.tenant_data import TENANT_TABLES
from domain.errors import AlreadyExists
from domain.tenants import Tenant
from ports.repositories import TenantQuery, TenantSummary

# Column order is the one ``_tenant`` reads.
_SELECT_TENANT = (
    "SELECT tenant_id, name, artifact_id, config, secrets, created_at, updated_at FROM tenants"
)
_UPSERT_TENANT = (
    "INSERT INTO tenants (tenant_id, name, artifact_id, config, secrets, created_at, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id)"
)
_LIVE_ENTITIES = (
    "(SELECT count(*) FROM entities e WHERE e.tenant_id = t.tenant_id AND NOT e.deleted)"
)
# Tenant.version: the config's "version" when it is a string.
_VERSION = "CASE WHEN jsonb_typeof(t.config->'version') = 'string' THEN t.config->>'version' END"
_TENANT_SORTS = {
    "name": ('lower(t.name) COLLATE "C"', "t.tenant_id"),
    "id": ("t.tenant_id",),
    "entitiesCount": ("entities_count", "t.tenant_id"),
}


def _tenant(row: Any) -> Tenant:
    return Tenant(
        id=row[0],
        name=row[1],
        artifact_id=row[2],
        config=row[3],
        secrets=row[4],
        created_at=row[5],
        updated_at=row[6],
    )


def _tenant_params(tenant: Tenant) -> tuple[Any, ...]:
    return (
        tenant.id,
        tenant.name,
        tenant.artifact_id,
        jsonb(dict(tenant.config)),
        jsonb(dict(tenant.secrets)),
        tenant.created_at,
        tenant.updated_at,
    )


class PgTenants:
    def __init__(self, db: Session) -> None:
        self._db = db

    def get(self, tenant_id: str) -> Tenant | None:
        row = self._db.read(_SELECT_TENANT + " WHERE tenant_id = %s", (tenant_id,)).fetchone()
        return None if row is None else _tenant(row)

    def updated_at(self, tenant_id: str) -> datetime | None:
        row = self._db.read(
            "SELECT updated_at FROM tenants WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        return None if row is None else row[0]

    def get_by_artifact(self, artifact_id: str) -> Tenant | None:
        row = self._db.read(
            _SELECT_TENANT + " WHERE artifact_id = %s ORDER BY tenant_id LIMIT 1",
            (artifact_id,),
        ).fetchone()
        return None if row is None else _tenant(row)

    def add(self, tenant: Tenant) -> None:
        # ON CONFLICT rather than catching the unique violation: an error would abort the
        # whole transaction, and the caller may want to carry on with its unit of work.
        row = self._db.write(
            _UPSERT_TENANT + " DO NOTHING RETURNING tenant_id",
            _tenant_params(tenant),
        ).fetchone()
        if row is None:
            raise AlreadyExists(f"configuration {tenant.id!r} already exists", code="tenant-exists")

    def update(self, tenant: Tenant) -> None:
        self._db.write(
            _UPSERT_TENANT + " DO UPDATE SET name = EXCLUDED.name,"
            " artifact_id = EXCLUDED.artifact_id, config = EXCLUDED.config,"
            " secrets = EXCLUDED.secrets, created_at = EXCLUDED.created_at,"
            " updated_at = EXCLUDED.updated_at",
            _tenant_params(tenant),
        )

    def delete(self, tenant_id: str) -> bool:
        row = self._db.write(
            "DELETE FROM tenants WHERE tenant_id = %s RETURNING tenant_id", (tenant_id,)
        ).fetchone()
        if row is None:
            return False
        for table in TENANT_TABLES:  # pipelined: sent together, checked at commit
            self._db.write(
                sql.SQL("DELETE FROM {} WHERE tenant_id = %s").format(sql.Identifier(table)),
                (tenant_id,),
            )
        return True

    def list_ids(self) -> list[str]:
        rows = self._db.read("SELECT tenant_id FROM tenants ORDER BY tenant_id").fetchall()
        return [r[0] for r in rows]

    def page(self, query: TenantQuery) -> tuple[list[TenantSummary], int]:
        needle = query.search.strip().lower()
        where = sql.SQL(
            "WHERE (%(needle)s = '' OR strpos(lower(t.name), %(needle)s) > 0"
            " OR strpos(lower(t.tenant_id), %(needle)s) > 0"
            f" OR strpos(lower(coalesce({_VERSION}, '')), %(needle)s) > 0)"
            " AND (%(ids)s::text[] IS NULL OR t.tenant_id = ANY(%(ids)s::text[]))"
        )
        direction = sql.SQL(" DESC" if query.descending else " ASC")
        order = sql.SQL(", ").join(sql.SQL(c) + direction for c in _TENANT_SORTS[query.sort_by])
        params = {
            "needle": needle,
            "ids": list(query.ids) if query.ids is not None else None,
            "limit": max(0, query.page_size),
            "offset": max(0, (query.page - 1) * query.page_size),
        }
        rows = self._db.read(
            sql.SQL(
                "SELECT t.tenant_id, t.name, t.artifact_id, t.config, t.secrets, t.created_at,"
                " t.updated_at, {live} AS entities_count FROM tenants t {where}"
                " ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
            ).format(
                live=sql.SQL(_LIVE_ENTITIES),
                where=where,
                order=order,
            ),
            params,
        ).fetchall()
        total = self._db.read(
            sql.SQL("SELECT count(*) FROM tenants t {}").format(where), params
        ).fetchone()
        summaries = [TenantSummary(tenant=_tenant(r), entities_count=r[7]) for r in rows]
        return summaries, total[0] if total else 0
