"""Exports: a tenant's current entities, one table per entity form, read page by page.

``ExportEntities.open`` checks access (ADMIN, or a user granted the tenant) and describes the
tables; nothing is read yet. The formats (CSV zip, NDJSON, xlsx; ``adapters_in``) then pull
pages from ``Export.pages``: each page is one short read-only unit of work and a keyset step
in guid order, so memory stays constant whatever the size of the tenant, and no connection or
snapshot is held between pages. An entity changed during a long export appears in the state it
had when its page was read; none is skipped or repeated.

Tables: every entity form of the configuration (columns from its formio definition, see
``domain.export_columns``), ``other`` for entities whose form is not in the configuration, and
``memberships`` (one row per group member, in member order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import attrs

from application.access import tenant_for
from domain.errors import ValidationFailed
from domain.export_columns import (
    MEMBERSHIP_COLUMNS,
    MEMBERSHIPS,
    META,
    OTHER,
    Flattener,
    FormTable,
    form_tables,
)
from domain.users import Principal
from ports.entity_scan import EntityRow, EntityScan
from ports.repositories import UnitOfWorkFactory

PAGE_SIZE = 2_000


@attrs.frozen(kw_only=True)
class ExportOptions:
    updated_since: datetime | None = None
    tables: tuple[str, ...] | None = None  # only these tables (``type=``); None: all
    include_deleted: bool = False


@attrs.frozen(kw_only=True)
class ExportTable:
    name: str
    header: tuple[str, ...]
    scan: EntityScan  # the entities behind the table (paging fields unset)
    records: Callable[[EntityRow], list[list[Any]]]  # one entity -> its rows in this table
    entities: bool = True  # False for memberships (rows are links, not entities)


def _entity_records(table: FormTable) -> tuple[tuple[str, ...], Callable]:
    flatten = Flattener(table.columns)
    header = (*META, *(c.name for c in flatten.columns), "extra")

    def records(row: EntityRow) -> list[list[Any]]:
        values, rest = flatten(row.data)
        meta = [
            row.guid,
            row.type,
            row.entity_name,
            row.name,
            row.version,
            row.created_at,
            row.updated_at,
            row.deleted,
        ]
        return [[*meta, *values, rest or None]]

    return header, records


def _membership_records(row: EntityRow) -> list[list[Any]]:
    return [[row.guid, member, place] for place, member in enumerate(row.member_ids, 1)]


@attrs.frozen(kw_only=True)
class Export:
    tenant_id: str
    tables: tuple[ExportTable, ...]
    _uow_factory: UnitOfWorkFactory
    page_size: int = PAGE_SIZE

    def pages(self, table: ExportTable) -> Iterator[list[EntityRow]]:
        """The table's entities, page by page. The next page is read (on a helper thread,
        still one page at a time) while the caller writes this one, so the database's work
        and the network round trip overlap the formatting instead of adding to it: at most
        two pages are in memory."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read-ahead") as ahead:
            pending = ahead.submit(self._page, table, None)
            while True:
                rows = pending.result()
                full = len(rows) == self.page_size
                if full:
                    pending = ahead.submit(self._page, table, rows[-1].guid)
                if rows:
                    yield rows
                if not full:
                    return

    def _page(self, table: ExportTable, after: str | None) -> list[EntityRow]:
        query = attrs.evolve(table.scan, after=after, limit=self.page_size)
        with self._uow_factory(read_only=True) as uow:
            return uow.entities.scan(self.tenant_id, query)

    def count(self, table: ExportTable) -> int:
        with self._uow_factory(read_only=True) as uow:
            return uow.entities.count_scan(self.tenant_id, table.scan)


class ExportEntities:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(
        self, principal: Principal, tenant_id: str, options: ExportOptions, page_size: int = 0
    ) -> Export:
        with self._uow_factory(read_only=True) as uow:
            tenant = tenant_for(uow, tenant_id, principal)
        forms = form_tables(tenant.config)
        tables = [*_form_tables(forms, options), _memberships(options)]
        if options.tables is not None:
            known = {t.name for t in tables}
            unknown = [name for name in options.tables if name not in known]
            if unknown:
                detail = f"unknown table(s) {', '.join(map(repr, unknown))}; known: " + ", ".join(
                    sorted(known)
                )
                raise ValidationFailed(detail, [("#/type", "unknown-table", detail)])
            tables = [t for t in tables if t.name in options.tables]
        return Export(
            tenant_id=tenant_id,
            tables=tuple(tables),
            uow_factory=self._uow_factory,
            page_size=page_size or PAGE_SIZE,
        )


def _form_tables(forms: Sequence[FormTable], options: ExportOptions) -> list[ExportTable]:
    base = EntityScan(include_deleted=options.include_deleted, updated_since=options.updated_since)
    out = []
    for form in (*forms, FormTable(name=OTHER, columns=())):
        header, records = _entity_records(form)
        if form.name == OTHER:
            scan = attrs.evolve(base, not_in_forms=tuple(f.name for f in forms))
        else:
            scan = attrs.evolve(base, entity_name=form.name)
        out.append(ExportTable(name=form.name, header=header, scan=scan, records=records))
    return out


def _memberships(options: ExportOptions) -> ExportTable:
    scan = EntityScan(
        type="group", include_deleted=options.include_deleted, updated_since=options.updated_since
    )
    return ExportTable(
        name=MEMBERSHIPS,
        header=MEMBERSHIP_COLUMNS,
        scan=scan,
        records=_membership_records,
        entities=False,
    )
