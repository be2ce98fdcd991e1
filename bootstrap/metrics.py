"""Metrics wiring: the Prometheus adapter per worker, and the gunicorn master's bookkeeping.

Each gunicorn worker counts only its own requests, so the workers share their samples through
files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode) and whichever
worker answers ``/metrics`` reports the sum. prometheus_client decides the mode when it is first
imported, so the master calls ``use_multiprocess_dir`` in ``on_starting``, before anything
imports it and before the first fork. The adapter module is imported lazily for that reason.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase
from ports.metrics import Metrics, MetricsExporter, NoMetrics

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_SUBDIR = "metrics"


def use_multiprocess_dir(
    settings: Settings, environ: MutableMapping[str, str] = os.environ
) -> Path | None:
    """Master, at start: ``PROMETHEUS_MULTIPROC_DIR`` (kept when already set, else
    ``DATA_DIR/metrics``), created and emptied of a previous run's samples. None when
    metrics are off."""
    if not settings.metrics_enabled:
        return None
    path = Path(environ.get(MULTIPROC_ENV) or settings.data_dir / METRICS_SUBDIR).resolve()
    path.mkdir(parents=True, exist_ok=True)
    environ[MULTIPROC_ENV] = str(path)  # before the import below, and inherited by workers

    from adapters_out.metrics.prometheus import clear_multiprocess_dir

    clear_multiprocess_dir(path)
    return path


def worker_exited(pid: int, environ: MutableMapping[str, str] = os.environ) -> None:
    """Master, ``child_exit``: the dead worker's live gauges (pool figures) stop counting."""
    path = environ.get(MULTIPROC_ENV)
    if path:
        from adapters_out.metrics.prometheus import mark_worker_dead

        mark_worker_dead(pid, Path(path))


def build_metrics(
    settings: Settings, db: ManagedDatabase, environ: MutableMapping[str, str] = os.environ
) -> tuple[Metrics, MetricsExporter | None]:
    """Worker: what records and what exports (None: no /metrics route). Multiprocess when the
    master set the directory; otherwise (one process, tests) the samples stay in memory."""
    if not settings.metrics_enabled:
        return NoMetrics(), None
    from adapters_out.metrics.prometheus import PrometheusMetrics

    given = environ.get(MULTIPROC_ENV)
    metrics = PrometheusMetrics(
        multiprocess_dir=Path(given) if given else None,
        pool_stats=getattr(db, "pool_stats", None),
    )
    return metrics, metrics
