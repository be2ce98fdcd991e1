"""Push phase of an external-sync run: deliver due outbox rows in feed order, in batches.

Each batch is read in one unit of work and its results are written in another, together with
the id map entries the remote returned. A transient failure (5xx, a timeout, a connection
dropped before the answer) puts the whole batch back with exponential backoff (the remote's
``Retry-After`` when it gave one) and ends the phase; a row that keeps failing goes ``dead``
after ``max_attempts`` and waits for an admin to re-queue it. ``AuthError``/``ConfigError``
stop the run before anything is marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from domain.entities import Entity
from domain.events import Event
from ports.external import (
    ExternalSystem,
    HttpDeadline,
    Pushed,
    PushItem,
    PushResult,
    Rejected,
    Retryable,
    TransientError,
)
from ports.external_store import IdMapping, OutboxRow

if TYPE_CHECKING:
    from application.external_sync import Progress, RunExternalSync, RunState


def push_phase(
    runner: RunExternalSync,
    adapter: ExternalSystem,
    state: RunState,
    deadline: HttpDeadline,
    progress: Progress | None,
) -> None:
    tenant, system = state.run.tenant_id, state.run.system
    size = max(1, adapter.info.batch_size)
    while deadline.remaining() > 0:
        now = runner.clock.now()
        with runner.uow_factory(read_only=True) as uow:
            rows = uow.external.due(tenant, system, now, size)
            if not rows:
                return
            events = uow.events.get_many(tenant, [r.event_guid for r in rows])
            entity_guids = {r.entity_guid for r in rows}
            entities = uow.entities.get_many(tenant, entity_guids)
            named = {
                r.event_guid: related_guids(events[r.event_guid], entities.get(r.entity_guid))
                for r in rows
                if r.event_guid in events
            }
            wanted = entity_guids.union(*named.values()) if named else entity_guids
            mapped = uow.external.mapped(tenant, system, wanted)
        items: list[PushItem] = []
        missing: list[OutboxRow] = []
        sendable: list[OutboxRow] = []
        for row in rows:
            event = events.get(row.event_guid)
            if event is None:
                missing.append(row)
                continue
            entity = entities.get(row.entity_guid)
            parent = entity.data.get("parentGuid") if entity is not None else None
            items.append(
                PushItem(
                    key=row.idempotency_key,
                    op=row.op,  # type: ignore[arg-type]
                    event=event,
                    entity=entity,
                    external_id=_id(mapped.get(row.entity_guid)),
                    parent_external_id=_id(mapped.get(parent)) if isinstance(parent, str) else None,
                    related={g: _id(mapped.get(g)) for g in named[row.event_guid]},
                )
            )
            sendable.append(row)
        try:
            results: Sequence[PushResult] = adapter.push(items) if items else []
        except TransientError as error:
            retry = Retryable(reason=str(error), retry_after_s=error.retry_after_s)
            _settle(runner, state, sendable, [retry] * len(sendable), missing, {})
            state.error(error.kind, str(error))
            return
        if len(results) != len(items):
            raise TransientError(f"the adapter returned {len(results)} results for {len(items)}")
        maps = {
            row.entity_guid: IdMapping(
                entity_guid=row.entity_guid,
                external_model=r.external_model or "record",
                external_id=r.external_id,
            )
            for row, r in zip(sendable, results, strict=True)
            if isinstance(r, Pushed) and r.external_id is not None
        }
        _settle(runner, state, sendable, list(results), missing, maps)
        if progress is not None:
            progress("push", state.pushed + state.rejected)
        if any(isinstance(r, Retryable) for r in results):
            return  # the remote is struggling: try again next run


def related_guids(event: Event, entity: Entity | None) -> set[str]:
    """The entities a change names besides its own: the parent, members added or removed, and
    a group's current members."""
    found: set[str] = set()
    for data in (event.data, entity.data if entity is not None else {}):
        parent = data.get("parentGuid")
        if isinstance(parent, str) and parent:
            found.add(parent)
    members = event.data.get("members")
    if isinstance(members, list):
        found.update(
            m["guid"] for m in members if isinstance(m, dict) and isinstance(m.get("guid"), str)
        )
    member = event.data.get("memberId")
    if isinstance(member, str) and member:
        found.add(member)
    if entity is not None:
        found.update(entity.member_ids)
    return found


def _id(mapping: IdMapping | None) -> str | None:
    return None if mapping is None else mapping.external_id


def _settle(
    runner: RunExternalSync,
    state: RunState,
    rows: Sequence[OutboxRow],
    results: Sequence[PushResult],
    missing: Sequence[OutboxRow],
    maps: dict[str, IdMapping],
) -> None:
    now = runner.clock.now()
    settled = [
        _after(runner, row, result, now, state) for row, result in zip(rows, results, strict=True)
    ]
    settled += [
        attrs.evolve(r, status="dead", last_error="the event is no longer stored") for r in missing
    ]
    with runner.uow_factory() as uow:
        if maps:
            uow.external.map_ids(state.run.tenant_id, state.run.system, list(maps.values()))
        uow.external.settle(state.run.tenant_id, settled, now)
        uow.commit()


def _after(
    runner: RunExternalSync, row: OutboxRow, result: PushResult, now: datetime, state: RunState
) -> OutboxRow:
    attempts = row.attempts + 1
    if isinstance(result, Pushed):
        state.pushed += 1
        return attrs.evolve(
            row, status="done", attempts=attempts, external_ref=result.external_ref, last_error=None
        )
    if isinstance(result, Rejected):
        state.rejected += 1
        state.error("rejected", f"{row.event_guid}: {result.reason}")
        return attrs.evolve(row, status="rejected", attempts=attempts, last_error=result.reason)
    options = runner.options
    if attempts >= options.max_attempts:
        return attrs.evolve(row, status="dead", attempts=attempts, last_error=result.reason)
    wait = min(options.backoff_max_s, options.backoff_s * 2 ** (attempts - 1))
    if result.retry_after_s is not None:
        wait = max(wait, result.retry_after_s)
    return attrs.evolve(
        row,
        attempts=attempts,
        next_attempt_at=now + timedelta(seconds=wait),
        last_error=result.reason,
    )
