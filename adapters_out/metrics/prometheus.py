"""``ports.metrics`` with prometheus_client: counters, a latency histogram and pool gauges.

One process: samples live in this object's own registry. Under gunicorn (several workers),
prometheus_client's multiprocess mode writes every worker's samples to files in
``PROMETHEUS_MULTIPROC_DIR``, and a scrape answered by any worker merges them with a fresh
``MultiProcessCollector`` registry. prometheus_client picks the mode when it is *first imported*
(from that variable), so the variable must be set before then: ``bootstrap`` does it in the
gunicorn master, before the workers fork. The master also empties the directory at start
(``clear_multiprocess_dir``) and calls ``mark_worker_dead`` when a worker exits, so that the
live-worker gauges drop the dead one; counters and histograms keep its counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from ports.metrics import Exposition

PoolStats = Callable[[], Mapping[str, int]]  # {"size", "available", "waiting"}
_RESULTS = ("applied", "duplicate", "rejected")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_FILE_PREFIXES = ("counter_", "gauge_", "histogram_", "summary_")


def multiprocess_mode_active() -> bool:
    """Whether prometheus_client was imported with ``PROMETHEUS_MULTIPROC_DIR`` set."""
    return values.ValueClass is not values.MutexValue


def clear_multiprocess_dir(path: Path) -> None:
    """Remove the samples of a previous run (prometheus_client requires an empty directory)."""
    for file in path.glob("*.db"):
        if file.name.startswith(_FILE_PREFIXES):
            file.unlink(missing_ok=True)


def mark_worker_dead(pid: int, path: Path) -> None:
    multiprocess.mark_process_dead(pid, str(path))


class PrometheusMetrics:
    """``Metrics`` and ``MetricsExporter``. ``pool_stats`` (cheap, no I/O) feeds the database
    pool gauges, refreshed at most every ``pool_refresh_s`` on requests and on every scrape."""

    def __init__(
        self,
        *,
        multiprocess_dir: Path | None = None,
        pool_stats: PoolStats | None = None,
        pool_refresh_s: float = 1.0,
    ) -> None:
        if multiprocess_dir is not None and not multiprocess_mode_active():
            raise RuntimeError(
                "PROMETHEUS_MULTIPROC_DIR was set after prometheus_client was imported; "
                "set it before the process (or the gunicorn master) imports it"
            )
        self._dir = multiprocess_dir
        self._pool_stats, self._pool_refresh_s = pool_stats, pool_refresh_s
        self._pool_due = 0.0
        self._registry = registry = CollectorRegistry()
        labels = ("route", "method", "status")
        self._requests = Counter(
            "datacollect_http_requests",
            "HTTP requests by route template, method and status class",
            labels,
            registry=registry,
        )
        self._latency = Histogram(
            "datacollect_http_request_duration_seconds",
            "HTTP request latency by route template, method and status class",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self._pushed = Counter(
            "datacollect_sync_pushed_events",
            "Events received by push, by result (applied, duplicate, rejected)",
            ("status",),
            registry=registry,
        )
        for result in _RESULTS:
            self._pushed.labels(status=result)  # every result shows, at 0 until it happens
        self._pulled = Counter(
            "datacollect_sync_pulled_events", "Events served by pull", registry=registry
        )
        self._pool = _PoolGauges(registry) if pool_stats is not None else None

    # -- Metrics ---------------------------------------------------------------------------
    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = (route, method, f"{status // 100}xx")
        self._requests.labels(*labels).inc()
        self._latency.labels(*labels).observe(seconds)
        if self._pool is not None and time.monotonic() >= self._pool_due:
            self._refresh_pool()

    def count_push(self, applied: int, duplicates: int, rejected: int) -> None:
        for result, count in zip(_RESULTS, (applied, duplicates, rejected), strict=True):
            if count:
                self._pushed.labels(status=result).inc(count)

    def count_pull(self, events: int) -> None:
        if events:
            self._pulled.inc(events)

    # -- MetricsExporter -------------------------------------------------------------------
    def export(self) -> Exposition:
        if self._pool is not None:
            self._refresh_pool()
        registry = self._registry
        if self._dir is not None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(self._dir))
        return Exposition(content_type=CONTENT_TYPE_LATEST, body=generate_latest(registry))

    def _refresh_pool(self) -> None:
        assert self._pool is not None and self._pool_stats is not None
        self._pool_due = time.monotonic() + self._pool_refresh_s
        self._pool.set(self._pool_stats())


class _PoolGauges:
    """Summed over the live workers (``livesum``): a dead worker's pool no longer counts."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._connections = Gauge(
            "datacollect_db_pool_connections",
            "Database pool connections: open (size) and idle (available)",
            ("state",),
            multiprocess_mode="livesum",
            registry=registry,
        )
        self._waiting = Gauge(
            "datacollect_db_pool_waiting_requests",
            "Requests waiting for a pooled database connection",
            multiprocess_mode="livesum",
            registry=registry,
        )

    def set(self, stats: Mapping[str, int]) -> None:
        self._connections.labels(state="open").set(stats.get("size", 0))
        self._connections.labels(state="idle").set(stats.get("available", 0))
        self._waiting.set(stats.get("waiting", 0))
