"""Each worker's background thread: flush the pull activity, run the retention cleanup when due.

Every worker on every host runs one. The cleanup itself makes sure only one of them runs at a
time (the ``retention`` lease) and not more often than ``RETENTION_INTERVAL`` (it checks the
last finished run, before and again after taking the lease). A tick never lets an error kill
the thread: it logs and tries again at the next tick.
"""

from __future__ import annotations

import random
import threading

import structlog

from application.external_sync import RunExternalSync
from application.pull_activity import PullActivity
from application.retention import Cleanup

log = structlog.get_logger("maintenance")
MAX_TICK_S = 30.0


class Maintenance:
    def __init__(
        self,
        activity: PullActivity,
        cleanup: Cleanup,
        retention_interval_s: float,
        flush_interval_s: float,
        external: RunExternalSync | None = None,
    ) -> None:
        self._activity, self._cleanup, self._external = activity, cleanup, external
        self._retention_interval_s = retention_interval_s
        wanted = [flush_interval_s, MAX_TICK_S]
        if retention_interval_s > 0:
            wanted.append(retention_interval_s)
        self._tick_s = max(0.5, min(wanted))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="maintenance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop and write the last pulls noted by this worker."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self._activity.flush()
        except Exception:
            log.warning("pull activity not flushed at exit", exc_info=True)

    def tick(self) -> None:
        try:
            self._activity.flush_if_due()
        except Exception:
            log.warning("pull activity flush failed", exc_info=True)
        if self._external is not None:
            try:
                self._external.run_due()  # tenants with an externalSync.schedule
            except Exception:
                log.warning("scheduled external sync failed", exc_info=True)
        if self._retention_interval_s <= 0:
            return
        try:
            self._cleanup(unless_ran_within_s=self._retention_interval_s)
        except Exception:
            log.warning("retention run failed", exc_info=True)

    def _loop(self) -> None:
        # Workers started together should not all reach the database in the same instant.
        while not self._stop.wait(self._tick_s * random.uniform(0.8, 1.2)):  # noqa: S311
            self.tick()
