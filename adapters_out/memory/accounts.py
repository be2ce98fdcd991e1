"""In-memory tenants and users."""

from __future__ import annotations

from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from domain.errors import AlreadyExists
from domain.tenants import Tenant
from domain.users import ADMIN, User
from ports.repositories import TenantQuery, TenantSummary


class MemoryTenants:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def get(self, tenant_id: str) -> Tenant | None:
        return self._s.tenants.get(tenant_id)

    def updated_at(self, tenant_id: str) -> datetime | None:
        tenant = self._s.tenants.get(tenant_id)
        return None if tenant is None else tenant.updated_at

    def get_by_artifact(self, artifact_id: str) -> Tenant | None:
        return next((t for t in self._s.tenants.values() if t.artifact_id == artifact_id), None)

    def add(self, tenant: Tenant) -> None:
        if tenant.id in self._s.tenants:
            raise AlreadyExists(f"configuration {tenant.id!r} already exists", code="tenant-exists")
        self._s.tenants[tenant.id] = tenant

    def update(self, tenant: Tenant) -> None:
        self._s.tenants[tenant.id] = tenant

    def delete(self, tenant_id: str) -> bool:
        if self._s.tenants.pop(tenant_id, None) is None:
            return False
        self._s.drop_tenant(tenant_id)
        return True

    def list_ids(self) -> list[str]:
        return sorted(self._s.tenants)

    def page(self, query: TenantQuery) -> tuple[list[TenantSummary], int]:
        needle = query.search.strip().casefold()
        rows = [
            TenantSummary(
                tenant=t,
                entities_count=sum(
                    1 for e in self._s.entities.get(t.id, {}).values() if not e.deleted
                ),
            )
            for t in self._s.tenants.values()
            if (query.ids is None or t.id in query.ids)
            and (not needle or any(needle in v.casefold() for v in (t.name, t.id, t.version)))
        ]
        sort_key = {
            "name": lambda r: (r.tenant.name.casefold(), r.tenant.id),
            "id": lambda r: (r.tenant.id,),
            "entitiesCount": lambda r: (r.entities_count, r.tenant.id),
        }[query.sort_by]
        rows.sort(key=sort_key, reverse=query.descending)
        start = (query.page - 1) * query.page_size
        return rows[start : start + query.page_size], len(rows)


class MemoryUsers:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def get(self, user_id: int) -> User | None:
        return self._s.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        wanted = email.casefold()
        return next((u for u in self._s.users.values() if u.email.casefold() == wanted), None)

    def list(self) -> list[User]:
        return [self._s.users[k] for k in sorted(self._s.users)]

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise AlreadyExists(
                f"a user with email {user.email} already exists", code="email-taken"
            )
        created = attrs.evolve(user, id=self._s.next_user_id)
        self._s.next_user_id += 1
        self._s.users[created.id] = created
        return created

    def update(self, user: User) -> None:
        if user.id not in self._s.users:
            return  # like UPDATE ... WHERE id = ?: an unknown id changes nothing
        other = self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise AlreadyExists(
                f"a user with email {user.email} already exists", code="email-taken"
            )
        self._s.users[user.id] = user

    def delete(self, user_id: int) -> bool:
        return self._s.users.pop(user_id, None) is not None

    def count_admins(self, *, lock: bool = False) -> int:  # writers are serialised
        return sum(1 for u in self._s.users.values() if u.role == ADMIN and not u.disabled)
