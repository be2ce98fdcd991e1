"""The read side of the OData feed: a tenant's entity sets, and one page of one set.

Entity sets are the tables of exports (``domain.export_columns``): one per entity form of the
configuration, plus ``other``. Every call checks the caller's access to the tenant (ADMIN, or a
user granted it) and is one short read-only unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from application.access import tenant_for
from domain.errors import NotFound
from domain.export_columns import OTHER, FormTable, form_tables
from domain.users import Principal
from ports.entity_scan import EntityRow, EntityScan
from ports.repositories import UnitOfWorkFactory

MAX_PAGE = 1_000


@attrs.frozen(kw_only=True)
class SetPage:
    rows: list[EntityRow]
    count: int | None  # all matches (``$count=true``), else None


def _sets(config: Mapping[str, Any]) -> tuple[FormTable, ...]:
    return (*form_tables(config), FormTable(name=OTHER, columns=()))


class ReadEntitySets:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def sets(self, principal: Principal, tenant_id: str) -> tuple[FormTable, ...]:
        with self._uow_factory(read_only=True) as uow:
            tenant = tenant_for(uow, tenant_id, principal)
        return _sets(tenant.config)

    def page(
        self,
        principal: Principal,
        tenant_id: str,
        set_name: str,
        scan: EntityScan,
        *,
        with_count: bool = False,
    ) -> SetPage:
        """``scan`` says what to match and where to start; its form fields are set here."""
        with self._uow_factory(read_only=True) as uow:
            tenant = tenant_for(uow, tenant_id, principal)
            forms = [t.name for t in _sets(tenant.config) if t.name != OTHER]
            if set_name == OTHER:
                scan = attrs.evolve(scan, not_in_forms=tuple(forms), entity_name=None)
            elif set_name in forms:
                scan = attrs.evolve(scan, entity_name=set_name, not_in_forms=None)
            else:
                raise NotFound(f"no entity set {set_name!r}", code="entity-set-not-found")
            scan = attrs.evolve(scan, limit=max(0, min(scan.limit, MAX_PAGE)))
            rows = uow.entities.scan(tenant_id, scan)
            count = uow.entities.count_scan(tenant_id, scan) if with_count else None
        return SetPage(rows=rows, count=count)
