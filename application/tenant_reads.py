"""Reading app configurations: the paged list (upstream ``{data, meta}``) and one document."""

from __future__ import annotations

import math
from typing import Any

import attrs

from application.access import require_admin, tenant_for
from domain.tenant_config_secrets import masked_view, unmask
from domain.tenants import Tenant
from domain.timestamps import format_instant
from domain.users import Principal
from ports.repositories import TenantQuery, TenantSummary, UnitOfWorkFactory
from ports.secrets import SecretBox

SORTS = ("name", "id", "entitiesCount")
MAX_PAGE_SIZE = 100


@attrs.frozen(kw_only=True)
class AppListRequest:
    page: int = 1
    page_size: int = 12
    sort_by: str = "name"  # echoed as given; unknown values sort by name (upstream)
    sort_order: str = "asc"
    search: str = ""


@attrs.frozen(kw_only=True)
class AppPage:
    items: tuple[TenantSummary, ...]
    total: int
    page: int
    page_size: int
    total_pages: int
    sort_by: str
    sort_order: str
    search: str


def document(tenant: Tenant) -> dict[str, Any]:
    """The stored document as the API shows it: secrets masked (again: a document stored
    before a kind of secret was recognised is masked on the way out too), ``artifactId``,
    ``createdAt`` and ``updatedAt`` added."""
    return {
        **masked_view(tenant.config),
        "artifactId": tenant.artifact_id,
        "createdAt": format_instant(tenant.created_at) if tenant.created_at else None,
        "updatedAt": format_instant(tenant.updated_at) if tenant.updated_at else None,
    }


class ListTenants:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(self, principal: Principal, request: AppListRequest) -> AppPage:
        size = max(1, min(request.page_size, MAX_PAGE_SIZE))
        order = "desc" if request.sort_order.lower() == "desc" else "asc"
        search = request.search.strip().lower()
        query = TenantQuery(
            page=max(1, request.page),
            page_size=size,
            sort_by=request.sort_by if request.sort_by in SORTS else "name",  # type: ignore[arg-type]
            descending=order == "desc",
            search=search,
            # A USER sees only the tenants granted to them; the repository filters and pages.
            ids=None if principal.sees_all_tenants else tuple(sorted(set(principal.tenants))),
        )
        with self._uow_factory(read_only=True) as uow:
            rows, total = uow.tenants.page(query)
            pages = math.ceil(total / size)
            if total and query.page > pages:
                query = attrs.evolve(query, page=pages)
                rows, total = uow.tenants.page(query)
        pages = math.ceil(total / size)
        return AppPage(
            items=tuple(rows),
            total=total,
            page=min(query.page, pages) if total else 1,
            page_size=size,
            total_pages=pages,
            sort_by=request.sort_by,
            sort_order=order,
            search=search,
        )


class GetTenant:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(self, principal: Principal, tenant_id: str) -> dict[str, Any]:
        with self._uow_factory(read_only=True) as uow:
            return document(tenant_for(uow, tenant_id, principal))


class ExportTenant:
    """The stored document for backup or migration (admin; the CLI). Secrets stay masked
    unless ``with_secrets``, which opens them with the ``SecretBox``."""

    def __init__(self, uow_factory: UnitOfWorkFactory, box: SecretBox) -> None:
        self._uow_factory, self._box = uow_factory, box

    def __call__(
        self, principal: Principal, tenant_id: str, with_secrets: bool = False
    ) -> dict[str, Any]:
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            tenant = tenant_for(uow, tenant_id, principal)
        if not with_secrets:
            return masked_view(tenant.config)
        opened = {p: self._box.open(v) for p, v in tenant.secrets.items()}
        return unmask(tenant.config, opened)
