"""Tenant access: the tenant always comes from the route/query and is checked every time."""

from __future__ import annotations

from application.tenant_cache import KnownTenant, TenantCache
from domain.errors import Forbidden, NotFound
from domain.tenants import Tenant
from domain.users import Principal
from ports.repositories import UnitOfWork


def tenant_for(uow: UnitOfWork, tenant_id: str, principal: Principal) -> Tenant:
    """The tenant, if ``principal`` may use it. Permission is checked before existence so
    that a user cannot probe which other tenants exist."""
    if not principal.may_sync(tenant_id):
        raise Forbidden(f"you have no access to configuration {tenant_id!r}")
    tenant = uow.tenants.get(tenant_id)
    if tenant is None:
        raise NotFound(f"configuration {tenant_id!r} does not exist", code="tenant-not-found")
    return tenant


def require_admin(principal: Principal) -> None:
    if not principal.is_admin or principal.provider is not None:
        raise Forbidden("Forbidden: Admin access required", code="admin-required")


def known_tenant_for(
    uow: UnitOfWork, tenant_id: str, principal: Principal, cache: TenantCache
) -> KnownTenant:
    """``tenant_for`` through ``cache``: the same checks, in the same order."""
    if not principal.may_sync(tenant_id):
        raise Forbidden(f"you have no access to configuration {tenant_id!r}")
    known = cache.get(uow, tenant_id)
    if known is None:
        raise NotFound(f"configuration {tenant_id!r} does not exist", code="tenant-not-found")
    return known
