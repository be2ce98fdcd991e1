"""Retention: delete what is safe to delete once it is old enough, one runner at a time.

Targets are named here, with the setting that gives their age; each storage adapter knows the
rows a target names (``RetentionRepository``). Events, entities and entity history are never a
target: a device pulling from the start always gets the whole feed. A run takes the
``retention`` lease (``application.leases``), so however many workers and hosts schedule it,
one runs at a time; it deletes in batches, each its own short transaction, and renews the lease
between batches. Every run is recorded (``job_runs``) with its counts, for ``/health/sync``.

Adding a target (e.g. finished external-sync runs): one entry in ``TARGETS``, one in each SQL
adapter's ``_TARGETS``, and a contract test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import attrs

from application.leases import Leases
from application.retry import with_retries
from ports.clock import Clock
from ports.repositories import JobRun, UnitOfWorkFactory

log = logging.getLogger(__name__)

JOB = "retention"
LEASE_TTL_S = 300.0  # renewed after every batch; a batch takes well under a second
DAY = 86_400.0


@attrs.frozen(kw_only=True)
class RetentionTarget:
    name: str
    setting: str  # the environment variable holding its age
    default_age_s: float  # 0: kept forever
    description: str


TARGETS: tuple[RetentionTarget, ...] = (
    RetentionTarget(
        name="read-audit",
        setting="RETENTION_READ_AUDIT",
        default_age_s=30 * DAY,
        description="server audit entries that only record a read (read-*, search-entities)",
    ),
    RetentionTarget(
        name="delivered-outbox",
        setting="RETENTION_DELIVERED_OUTBOX",
        default_age_s=14 * DAY,
        description="external-sync outbox rows already delivered (status done)",
    ),
    RetentionTarget(
        name="external-runs",
        setting="RETENTION_EXTERNAL_RUNS",
        default_age_s=30 * DAY,
        description="finished external-sync runs, by when they ended (never a system's newest)",
    ),
    RetentionTarget(
        name="quarantine",
        setting="RETENTION_QUARANTINE",
        default_age_s=0.0,
        description="rejected events nobody retried or discarded, by when they arrived",
    ),
    RetentionTarget(
        name="expired-leases",
        setting="RETENTION_EXPIRED_LEASES",
        default_age_s=1 * DAY,
        description="job leases that expired (their holder died)",
    ),
    RetentionTarget(
        name="dead-refresh-tokens",
        setting="RETENTION_DEAD_REFRESH_TOKENS",
        default_age_s=1 * DAY,
        description="refresh tokens that expired or were revoked, by when that happened",
    ),
    RetentionTarget(
        name="rate-limits",
        setting="RETENTION_RATE_LIMITS",
        default_age_s=3600.0,
        description="rate-limit state whose budget has refilled, by when it did (PostgreSQL; "
        "the SQLite limits file cleans itself)",
    ),
    RetentionTarget(
        name="job-runs",
        setting="RETENTION_JOB_RUNS",
        default_age_s=30 * DAY,
        description="the history of finished scheduled jobs (this job included)",
    ),
)


@attrs.frozen(kw_only=True)
class RetentionPolicy:
    ages_s: Mapping[str, float]  # target -> age in seconds; 0 (or absent): kept forever
    batch: int = 1000

    @classmethod
    def defaults(cls) -> RetentionPolicy:
        return cls(ages_s={t.name: t.default_age_s for t in TARGETS})


@attrs.frozen(kw_only=True)
class CleanupResult:
    ran: bool  # False: another process holds the lease, or a run was not due
    dry_run: bool
    counts: Mapping[str, int]  # deleted (dry run: would be deleted), per target that ran
    cutoffs: Mapping[str, datetime]
    run_id: int | None = None


Progress = Callable[[str, int, bool], None]  # target, rows so far, finished with it


class Cleanup:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        leases: Leases,
        clock: Clock,
        policy: RetentionPolicy,
        runner: str = "unknown",
    ) -> None:
        self._uow_factory, self._leases, self._clock = uow_factory, leases, clock
        self._policy, self._runner = policy, runner

    def __call__(
        self,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        unless_ran_within_s: float | None = None,
    ) -> CleanupResult:
        """Run every target with an age. ``unless_ran_within_s`` (the scheduler): do nothing
        when a run finished that recently; checked again once the lease is held, so two
        processes that both found the job due never run it back to back."""
        report = progress or _quiet
        if dry_run:
            return self._dry_run(report)
        if unless_ran_within_s is not None and not self.is_due(unless_ran_within_s):
            return CleanupResult(ran=False, dry_run=False, counts={}, cutoffs={})
        with self._leases.held(JOB, LEASE_TTL_S) as lease:
            if lease is None or (
                unless_ran_within_s is not None and not self.is_due(unless_ran_within_s)
            ):
                return CleanupResult(ran=False, dry_run=False, counts={}, cutoffs={})
            cutoffs = self._cutoffs()
            run_id = self._start()
            counts: dict[str, int] = {}
            try:
                for target, cutoff in cutoffs.items():
                    counts[target] = 0
                    while True:
                        gone = self._purge_batch(target, cutoff)
                        counts[target] += gone
                        lease.renew()
                        report(target, counts[target], gone < self._policy.batch)
                        if gone < self._policy.batch:
                            break
            except Exception as error:
                self._finish(run_id, "failed", counts, type(error).__name__)
                log.warning(
                    "retention failed",
                    extra={"fields": {"counts": counts, "error": type(error).__name__}},
                )
                raise
            self._finish(run_id, "succeeded", counts, None)
        log.info("retention finished", extra={"fields": {"counts": counts, "run_id": run_id}})
        return CleanupResult(ran=True, dry_run=False, counts=counts, cutoffs=cutoffs, run_id=run_id)

    def is_due(self, interval_s: float) -> bool:
        with self._uow_factory(read_only=True) as uow:
            last = uow.job_runs.last_finished(JOB)
        return last is None or self._clock.now() - last >= timedelta(seconds=interval_s)

    def recent_runs(self, limit: int = 5) -> list[JobRun]:
        with self._uow_factory(read_only=True) as uow:
            return uow.job_runs.recent(JOB, limit)

    def _dry_run(self, report: Progress) -> CleanupResult:
        cutoffs = self._cutoffs()
        counts: dict[str, int] = {}
        with self._uow_factory(read_only=True) as uow:
            for target, cutoff in cutoffs.items():
                counts[target] = uow.retention.count(target, cutoff)
                report(target, counts[target], True)
        return CleanupResult(ran=True, dry_run=True, counts=counts, cutoffs=cutoffs)

    def _cutoffs(self) -> dict[str, datetime]:
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            return {
                t.name: now - timedelta(seconds=age)
                for t in TARGETS
                if (age := self._policy.ages_s.get(t.name, 0.0)) > 0
                and uow.retention.supports(t.name)
            }

    def _purge_batch(self, target: str, cutoff: datetime) -> int:
        def attempt() -> int:
            with self._uow_factory() as uow:
                gone = uow.retention.purge(target, cutoff, self._policy.batch)
                uow.commit()
            return gone

        return with_retries(attempt)

    def _start(self) -> int:
        with self._uow_factory() as uow:
            run_id = uow.job_runs.start(JOB, self._runner, self._clock.now(), False)
            uow.commit()
        return run_id

    def _finish(
        self, run_id: int, status: str, counts: Mapping[str, int], error: str | None
    ) -> None:
        try:
            with self._uow_factory() as uow:
                uow.job_runs.finish(run_id, self._clock.now(), status, counts, error)
                uow.commit()
        except Exception:  # the database went away: the run stays "running" in the history
            if status == "succeeded":
                raise
            log.warning("retention run %s not recorded as %s", run_id, status)


def _quiet(target: str, rows: int, finished: bool) -> None:
    return None
