"""Pull phase of an external-sync run: page through the remote's changes and apply them as
ordinary events, so they reach devices through the normal feed.

Ids are deterministic: the entity is the one the id map names (an entity we pushed keeps its
own guid) or ``uuid5(system:model:id)``; the event is ``uuid5(system:model:id:version)``. A
re-pull of an unchanged record is therefore a duplicate, never a new event. Pulled events are
pushed as ``external:<system>``, which the outbox recognises and never sends back (no echo).
The cursor and the id map entries of a page are written after its events are applied; a crash
in between re-pulls the page, which the deterministic ids make harmless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from domain.external_sync import pulled_entity_guid, pulled_event_guid, puller_id
from domain.timestamps import format_instant, parse_instant
from domain.users import ADMIN, Principal
from ports.clock import Clock
from ports.external import ExternalRecord, ExternalSystem, HttpDeadline
from ports.external_store import IdMapping
from ports.repositories import UnitOfWorkFactory

if TYPE_CHECKING:
    from application.external_sync import Progress, RunExternalSync, RunState


class PullContext(Protocol):
    @property
    def uow_factory(self) -> UnitOfWorkFactory: ...
    @property
    def clock(self) -> Clock: ...


def pull_phase(
    runner: RunExternalSync,
    adapter: ExternalSystem,
    state: RunState,
    deadline: HttpDeadline,
    progress: Progress | None,
) -> None:
    tenant, system = state.run.tenant_id, state.run.system
    principal = Principal(user_id=puller_id(system), email=None, role=ADMIN, tenants=(tenant,))
    with runner.uow_factory(read_only=True) as uow:
        cursor = uow.external.cursor(tenant, system, "pull")
    while deadline.remaining() > 0:
        page = adapter.pull(cursor, runner.options.pull_page)
        records = list(page.records)
        if records:
            events, maps = pulled_events(runner, tenant, system, records)
            outcome = runner.push_events(tenant, principal, events)
            state.pulled += outcome.applied
            for result in outcome.results:
                if result.status == "rejected":
                    state.error("pull-rejected", f"{result.guid}: {result.code}")
        else:
            maps = []
        with runner.uow_factory() as uow:
            if maps:
                uow.external.map_ids(tenant, system, maps)
            if page.next_cursor is not None and page.next_cursor != cursor:
                uow.external.set_cursor(
                    tenant, system, "pull", page.next_cursor, runner.clock.now()
                )
            uow.commit()
        cursor = page.next_cursor
        if progress is not None:
            progress("pull", state.pulled)
        if page.done or not records:
            return


def _entity_guid(system: str, known: dict[tuple[str, str], str], record: ExternalRecord) -> str:
    """The id map's entity, else the one the remote kept for us (a record we pushed whose id
    was never mapped: its answer was lost), else a deterministic new one."""
    return (
        known.get((record.model, record.external_id))
        or record.local_guid
        or pulled_entity_guid(system, record.model, record.external_id)
    )


def pulled_events(
    runner: PullContext, tenant: str, system: str, records: list[ExternalRecord]
) -> tuple[list[dict[str, Any]], list[IdMapping]]:
    """Wire events for ``records`` (those not stored yet) and their id map entries."""
    by_model: dict[str, list[ExternalRecord]] = {}
    for record in records:
        by_model.setdefault(record.model, []).append(record)
    with runner.uow_factory(read_only=True) as uow:
        known: dict[tuple[str, str], str] = {}
        for model, group in by_model.items():
            found = uow.external.mapped_external(
                tenant, system, model, [r.external_id for r in group]
            )
            known.update({(model, i): m.entity_guid for i, m in found.items()})
        guids = {_entity_guid(system, known, r) for r in records}
        existing = uow.entities.get_many(tenant, guids)
    now = runner.clock.now()
    events: list[dict[str, Any]] = []
    maps: list[IdMapping] = []
    seen: set[str] = set()
    created: set[str] = set()
    for record in records:
        entity = _entity_guid(system, known, record)
        stamp = parse_instant(record.version)
        # An unversioned record gets "now", and its event guid says so: it is then a new event
        # on every pull (still correct), where a versioned one is pulled once.
        version = record.version if stamp is not None else format_instant(now)
        guid = pulled_event_guid(system, record.model, record.external_id, version)
        if guid in seen:
            continue
        seen.add(guid)
        if record.deleted:
            kind = "delete-entity"
        else:
            verb = "update" if entity in existing or entity in created else "create"
            kind = f"{verb}-{record.kind}"
        created.add(entity)
        data = {**record.data, "externalId": record.external_id}
        if record.group_external_id is not None:
            parent = known.get((record.model, record.group_external_id))
            data["parentGuid"] = parent or pulled_entity_guid(
                system, record.model, record.group_external_id
            )
        events.append(
            {
                "guid": guid,
                "entityGuid": entity,
                "type": kind,
                "data": data,
                "timestamp": format_instant(stamp or now),
                "userId": puller_id(system),
                "syncLevel": 2,
            }
        )
        maps.append(
            IdMapping(
                entity_guid=entity,
                external_model=record.model,
                external_id=record.external_id,
                last_seen_version=record.version,
            )
        )
    if events:
        with runner.uow_factory(read_only=True) as uow:
            stored = uow.events.get_many(tenant, [e["guid"] for e in events])
        # A version already pulled is a no-op (its type may differ now that the entity exists).
        events = [e for e in events if e["guid"] not in stored]
    return events, maps
