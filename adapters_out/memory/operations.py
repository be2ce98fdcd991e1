"""In-memory retention, pull activity and job runs (the reference for the SQL adapters)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime

import attrs

from adapters_out.memory.state import MemoryState
from ports.repositories import JobRun

# target -> rows older than a cutoff, as (delete-function) pairs.
_Row = Callable[[], None]


class MemoryRetention:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def supports(self, target: str) -> bool:
        return target in _TARGETS

    def count(self, target: str, before: datetime) -> int:
        return sum(1 for _ in self._old(target, before))

    def purge(self, target: str, before: datetime, limit: int) -> int:
        doomed = list(self._old(target, before))[:limit]
        for drop in doomed:
            drop()
        return len(doomed)

    def _old(self, target: str, before: datetime) -> Iterator[_Row]:
        walk = _TARGETS.get(target)
        return iter(()) if walk is None else walk(self._state, before)


def _read_audit(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for entries in state.audit.values():
        for key, entry in list(entries.items()):
            if (
                entry.origin == "server"
                and (entry.action.startswith("read-") or entry.action == "search-entities")
                and entry.timestamp < before
            ):
                yield lambda entries=entries, key=key: entries.pop(key, None)  # type: ignore[misc]


def _quarantine(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for rows in state.quarantine.values():
        for key, rejected in list(rows.items()):
            if rejected.received_at < before:
                yield lambda rows=rows, key=key: rows.pop(key, None)  # type: ignore[misc]


def _expired_leases(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for name, (_, until) in list(state.leases.items()):
        if until < before:
            yield lambda name=name: state.leases.pop(name, None)  # type: ignore[misc]


def _delivered_outbox(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for rows in state.outbox.values():
        for key, row in list(rows.items()):
            if row.status == "done" and row.updated_at < before:
                yield lambda rows=rows, key=key: rows.pop(key, None)  # type: ignore[misc]


def _external_runs(state: MemoryState, before: datetime) -> Iterator[_Row]:
    newest: dict[tuple[str, str], datetime] = {}
    for run in state.runs.values():
        key = (run.tenant_id, run.system)
        newest[key] = max(newest.get(key, run.started_at), run.started_at)
    for run_id, run in list(state.runs.items()):
        if (
            run.finished_at is not None
            and run.finished_at < before
            and run.started_at < newest[(run.tenant_id, run.system)]
        ):
            yield lambda run_id=run_id: state.runs.pop(run_id, None)  # type: ignore[misc]


def _job_runs(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for run_id, run in list(state.job_runs.items()):
        if run.finished_at is not None and run.started_at < before:
            yield lambda run_id=run_id: state.job_runs.pop(run_id, None)  # type: ignore[misc]


def _dead_refresh_tokens(state: MemoryState, before: datetime) -> Iterator[_Row]:
    for token_hash, token in list(state.refresh_tokens.items()):
        died = min(token.expires_at, token.revoked_at or token.expires_at)
        if died < before:
            yield lambda token_hash=token_hash: state.refresh_tokens.pop(token_hash, None)  # type: ignore[misc]


_TARGETS: dict[str, Callable[[MemoryState, datetime], Iterator[_Row]]] = {
    "read-audit": _read_audit,
    "external-runs": _external_runs,
    "dead-refresh-tokens": _dead_refresh_tokens,
    "quarantine": _quarantine,
    "delivered-outbox": _delivered_outbox,
    "expired-leases": _expired_leases,
    "job-runs": _job_runs,
}


class MemoryPullActivity:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def record(self, last_pulls: Mapping[str, datetime]) -> None:
        for tenant_id, at in last_pulls.items():
            known = self._state.pull_activity.get(tenant_id)
            if known is None or at > known:
                self._state.pull_activity[tenant_id] = at

    def last_pulls(self, tenant_ids: Collection[str]) -> dict[str, datetime]:
        known = self._state.pull_activity
        return {t: known[t] for t in tenant_ids if t in known}


class MemoryFeedRestores:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def heads(self, tenant_id: str) -> list[int]:
        return list(self._state.feed_restores.get(tenant_id, ()))

    def record(self, tenant_id: str, restored_head: int, at: datetime) -> int:
        heads = self._state.feed_restores.setdefault(tenant_id, [])
        heads.append(restored_head)
        return len(heads)


class MemoryJobRuns:
    def __init__(self, state: MemoryState) -> None:
        self._state = state

    def start(self, name: str, runner: str, at: datetime, dry_run: bool) -> int:
        run_id = max(self._state.job_runs, default=0) + 1
        self._state.job_runs[run_id] = JobRun(
            id=run_id,
            name=name,
            runner=runner,
            started_at=at,
            finished_at=None,
            status="running",
            dry_run=dry_run,
            counts={},
        )
        return run_id

    def finish(
        self, run_id: int, at: datetime, status: str, counts: Mapping[str, int], error: str | None
    ) -> None:
        run = self._state.job_runs.get(run_id)
        if run is not None:
            self._state.job_runs[run_id] = attrs.evolve(
                run, finished_at=at, status=status, counts=dict(counts), error=error
            )

    def recent(self, name: str, limit: int) -> list[JobRun]:
        runs = [r for r in self._state.job_runs.values() if r.name == name]
        runs.sort(key=lambda r: (r.started_at, r.id), reverse=True)
        return runs[:limit]

    def last_finished(self, name: str, *, dry_run: bool = False) -> datetime | None:
        ends = [
            r.finished_at
            for r in self._state.job_runs.values()
            if r.name == name and r.dry_run == dry_run and r.finished_at is not None
        ]
        return max(ends, default=None)
