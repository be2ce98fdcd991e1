"""Run a tenant's external sync: authenticate, deliver the outbox, pull changes back.

One run at a time per tenant, across workers and hosts (a lease named
``external-sync:<tenant>``); a second trigger gets ``StateConflict`` (409). Every run is recorded
(``SyncRun``) with its counts and errors, whatever the outcome. Credentials given for a run
are handed to the adapter and then forgotten: never stored, never logged.

The run stops at its deadline (``ExternalSyncOptions.deadline_s``); the adapters never wait
beyond it, so a hung remote costs one deadline, not a worker.

Wiring: ``RunExternalSync(uow_factory, clock, ids, leases, push, systems, box, options)``;
``systems`` is the adapter registry (``ports.external.ExternalSystems``) and ``deadlines`` a
factory of ``HttpDeadline`` (bootstrap passes ``adapters_out.external.http.Deadline``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from application.access import require_admin
from application.external_sync_pull import pull_phase
from application.external_sync_push import push_phase
from application.leases import Leases
from application.push import PushEvents
from domain.errors import NotFound, StateConflict
from domain.external_sync import schedule_of, system_of
from domain.tenant_config_secrets import unmask
from domain.users import ADMIN, Principal
from ports.clock import Clock, IdGenerator
from ports.external import (
    AuthError,
    ConfigError,
    Credentials,
    ExternalConfig,
    ExternalError,
    ExternalSystems,
    HttpDeadline,
)
from ports.external_store import SyncRun
from ports.repositories import UnitOfWorkFactory
from ports.secrets import SecretBox

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (phase, records done so far)
SCHEDULER = Principal(user_id="scheduler", email=None, role=ADMIN)
_REMOTE_FAILURES = ("transient", "timeout", "auth", "config", "external")


@attrs.frozen(kw_only=True)
class ExternalSyncOptions:
    deadline_s: float = 120.0
    max_attempts: int = 8  # a row goes dead after this many failed deliveries
    backoff_s: float = 30.0  # first retry delay of a row; doubles per attempt
    backoff_max_s: float = 3600.0
    pull_page: int = 500


@attrs.define
class RunState:
    """What a run has done so far (the phases add to it)."""

    run: SyncRun
    errors: list[dict[str, Any]] = attrs.field(factory=list)
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0

    def error(self, kind: str, message: str) -> None:
        if len(self.errors) < 50:
            self.errors.append({"kind": kind, "message": message[:500]})


def external_config(tenant_id: str, config: Mapping[str, Any]) -> ExternalConfig:
    sync = config.get("externalSync") or {}
    options: dict[str, Any] = {
        k: v for k, v in sync.items() if k not in ("type", "url", "auth", "extraFields")
    }
    for field in sync.get("extraFields") or []:
        if isinstance(field, Mapping) and isinstance(field.get("name"), str):
            options[field["name"]] = field.get("value")
    return ExternalConfig(
        tenant_id=tenant_id,
        type=str(sync.get("type") or ""),
        url=str(sync.get("url") or ""),
        auth=sync.get("auth") if isinstance(sync.get("auth"), str) else None,
        options=options,
    )


class RunExternalSync:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        leases: Leases,
        push: PushEvents,
        systems: ExternalSystems,
        box: SecretBox,
        deadlines: Callable[[float], HttpDeadline],
        options: ExternalSyncOptions,
    ) -> None:
        self._uow_factory, self._clock, self._ids = uow_factory, clock, ids
        self._leases, self._push, self._systems, self._box = leases, push, systems, box
        self._deadlines, self.options = deadlines, options

    def __call__(
        self,
        principal: Principal,
        tenant_id: str,
        credentials: Credentials | None = None,
        *,
        trigger: str = "api",
        progress: Progress | None = None,
    ) -> SyncRun:
        require_admin(principal)
        with self._uow_factory(read_only=True) as uow:
            tenant = uow.tenants.get(tenant_id)
        if tenant is None:
            raise NotFound(f"configuration {tenant_id!r} does not exist", code="tenant-not-found")
        system = system_of(tenant.config)
        if system is None:
            raise StateConflict(
                f"configuration {tenant_id!r} has no external sync configured",
                code="external-sync-not-configured",
            )
        opened = {p: self._box.open(v) for p, v in tenant.secrets.items()}
        config = external_config(tenant_id, unmask(tenant.config, opened))
        run = self._locked(tenant_id, system, config, credentials, trigger, progress, None)
        assert run is not None
        return run

    def run_due(self) -> list[SyncRun]:
        """Run every tenant whose ``externalSync.schedule`` is due (the maintenance thread of
        each worker calls this; the tenant's lease and a re-check of its last run under the
        lease make one run per period across workers and hosts)."""
        now = self._clock.now()
        due: list[tuple[str, float]] = []
        with self._uow_factory(read_only=True) as uow:
            for tenant_id in uow.tenants.list_ids():
                tenant = uow.tenants.get(tenant_id)
                every = schedule_of(tenant.config) if tenant is not None else None
                if every is None:
                    continue
                last = next(iter(uow.external.runs(tenant_id, 1, 0)), None)
                if last is None or (now - last.started_at).total_seconds() >= every:
                    due.append((tenant_id, every))
        done = []
        for tenant_id, every in due:
            try:
                with self._uow_factory(read_only=True) as uow:
                    tenant = uow.tenants.get(tenant_id)
                system = system_of(tenant.config) if tenant is not None else None
                if tenant is None or system is None:
                    continue
                opened = {p: self._box.open(v) for p, v in tenant.secrets.items()}
                config = external_config(tenant_id, unmask(tenant.config, opened))
                run = self._locked(tenant_id, system, config, None, "schedule", None, every)
            except StateConflict:
                continue  # another worker is running it
            if run is not None:
                done.append(run)
        return done

    def _locked(
        self,
        tenant_id: str,
        system: str,
        config: ExternalConfig,
        credentials: Credentials | None,
        trigger: str,
        progress: Progress | None,
        unless_ran_within_s: float | None,
    ) -> SyncRun | None:
        ttl = self.options.deadline_s + 60.0
        with self._leases.held(f"external-sync:{tenant_id}", ttl) as lease:
            if lease is None:
                raise StateConflict(
                    f"an external sync of {tenant_id!r} is already running",
                    code="external-sync-running",
                )
            if unless_ran_within_s is not None:
                with self._uow_factory(read_only=True) as uow:
                    last = next(iter(uow.external.runs(tenant_id, 1, 0)), None)
                age = None if last is None else (self._clock.now() - last.started_at)
                if age is not None and age.total_seconds() < unless_ran_within_s:
                    return None  # another worker ran it since we looked
            return self._run(tenant_id, system, config, credentials, trigger, progress)

    def _run(
        self,
        tenant_id: str,
        system: str,
        config: ExternalConfig,
        credentials: Credentials | None,
        trigger: str,
        progress: Progress | None,
    ) -> SyncRun:
        run = SyncRun(
            id=self._ids.new_id(),
            tenant_id=tenant_id,
            system=system,
            trigger=trigger,
            status="running",
            started_at=self._clock.now(),
        )
        self._save(run)
        state = RunState(run=run)
        deadline = self._deadlines(self.options.deadline_s)
        failed = False
        adapter = None
        try:
            adapter = self._systems.build(config, deadline)
            adapter.authenticate(credentials)
            if adapter.info.can_push:
                push_phase(self, adapter, state, deadline, progress)
            if adapter.info.can_pull:
                pull_phase(self, adapter, state, deadline, progress)
        except (AuthError, ConfigError) as error:
            failed = True
            state.error(error.kind, str(error))
        except ExternalError as error:
            failed = True
            state.error(error.kind, str(error))
        except Exception as error:  # an adapter's defect: recorded, never left "running"
            failed = True
            state.error("internal", f"{type(error).__name__} in the {system} adapter")
            log.error(
                "external sync adapter failed",
                extra={"tenant": tenant_id, "system": system, "error": type(error).__name__},
            )
        finally:
            if adapter is not None:
                adapter.close()
        return self._finish(state, failed)

    def _finish(self, state: RunState, failed: bool) -> SyncRun:
        remote_down = any(e["kind"] in _REMOTE_FAILURES for e in state.errors)
        if failed or (remote_down and state.pushed == 0 and state.pulled == 0):
            status = "failed"  # the remote failed and nothing got through: 502/504
        elif state.errors or state.rejected:
            status = "partial"
        else:
            status = "succeeded"
        run = attrs.evolve(
            state.run,
            status=status,
            finished_at=self._clock.now(),
            pushed=state.pushed,
            rejected=state.rejected,
            pulled=state.pulled,
            errors=tuple(state.errors),
        )
        self._save(run)
        log.info(
            "external sync finished",
            extra={
                "tenant": run.tenant_id,
                "system": run.system,
                "status": run.status,
                "pushed": run.pushed,
                "rejected": run.rejected,
                "pulled": run.pulled,
            },
        )
        return run

    def _save(self, run: SyncRun) -> None:
        with self._uow_factory() as uow:
            uow.external.save_run(run)
            uow.commit()

    # used by the phases
    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self._uow_factory

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def push_events(self) -> PushEvents:
        return self._push
