"""The Prometheus adapter on its own, and the bootstrap's multiprocess bookkeeping."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters_out.metrics.prometheus import PrometheusMetrics
from bootstrap.metrics import MULTIPROC_ENV, build_metrics, use_multiprocess_dir, worker_exited
from bootstrap.settings import ConfigError, Settings
from ports.metrics import NoMetrics


def samples(metrics: PrometheusMetrics) -> dict[tuple[str, tuple], float]:
    text = metrics.export().body.decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), **env})


class FakePool:
    def __init__(self) -> None:
        self.stats = {"size": 4, "available": 3, "waiting": 0}

    def pool_stats(self) -> dict[str, int]:
        return dict(self.stats)


def test_status_classes_and_every_push_result_are_exposed() -> None:
    metrics = PrometheusMetrics()
    metrics.observe_request("/health", "GET", 503, 0.2)
    metrics.observe_request("/health", "GET", 500, 0.1)
    metrics.count_push(applied=3, duplicates=0, rejected=0)
    got = samples(metrics)
    labels = (("method", "GET"), ("route", "/health"), ("status", "5xx"))
    assert got[("datacollect_http_requests_total", labels)] == 2
    assert got[("datacollect_http_request_duration_seconds_sum", labels)] == pytest.approx(0.3)
    pushed = "datacollect_sync_pushed_events_total"
    assert got[(pushed, (("status", "applied"),))] == 3
    assert got[(pushed, (("status", "duplicate"),))] == 0  # shown before it first happens
    assert not any(name.startswith("datacollect_db_pool") for name, _ in got)  # no pool: SQLite


def test_pool_gauges_follow_the_pool_on_scrape() -> None:
    pool = FakePool()
    metrics = PrometheusMetrics(pool_stats=pool.pool_stats)
    assert samples(metrics)[("datacollect_db_pool_connections", (("state", "open"),))] == 4
    pool.stats = {"size": 6, "available": 1, "waiting": 2}
    got = samples(metrics)
    assert got[("datacollect_db_pool_connections", (("state", "idle"),))] == 1
    assert got[("datacollect_db_pool_waiting_requests", ())] == 2


def test_a_multiprocess_dir_set_too_late_is_refused(tmp_path: Path) -> None:
    # This test process imported prometheus_client without PROMETHEUS_MULTIPROC_DIR.
    with pytest.raises(RuntimeError, match="before"):
        PrometheusMetrics(multiprocess_dir=tmp_path)


def test_the_master_prepares_an_empty_directory_under_data_dir(tmp_path: Path) -> None:
    stale = tmp_path / "metrics"
    stale.mkdir()
    (stale / "counter_123.db").write_bytes(b"old")
    (stale / "notes.txt").write_text("not ours")
    environ: dict[str, str] = {}
    path = use_multiprocess_dir(settings(tmp_path), environ)
    assert path == stale.resolve() and environ[MULTIPROC_ENV] == str(path)
    assert sorted(p.name for p in path.iterdir()) == ["notes.txt"]


def test_a_given_directory_is_kept_and_metrics_off_touch_nothing(tmp_path: Path) -> None:
    given = tmp_path / "elsewhere"
    environ = {MULTIPROC_ENV: str(given)}
    assert use_multiprocess_dir(settings(tmp_path), environ) == given.resolve()
    assert given.is_dir() and not (tmp_path / "metrics").exists()
    environ = {}
    assert use_multiprocess_dir(settings(tmp_path, METRICS_ENABLED="false"), environ) is None
    assert environ == {} and not (tmp_path / "metrics").exists()


def test_a_dead_workers_live_gauges_are_removed(tmp_path: Path) -> None:
    for name in ("gauge_livesum_41.db", "counter_41.db", "gauge_livesum_42.db"):
        (tmp_path / name).write_bytes(b"")
    worker_exited(41, {MULTIPROC_ENV: str(tmp_path)})
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == ["counter_41.db", "gauge_livesum_42.db"]  # counts of the dead stay


def test_workers_build_prometheus_metrics_unless_disabled(tmp_path: Path) -> None:
    metrics, exporter = build_metrics(settings(tmp_path), FakePool(), {})  # type: ignore[arg-type]
    assert isinstance(metrics, PrometheusMetrics) and exporter is metrics
    assert ("datacollect_db_pool_connections", (("state", "open"),)) in samples(metrics)
    off = settings(tmp_path, METRICS_ENABLED="no")
    metrics, exporter = build_metrics(off, FakePool(), {})  # type: ignore[arg-type]
    assert isinstance(metrics, NoMetrics) and exporter is None


def test_metrics_settings_and_a_secret_token(tmp_path: Path) -> None:
    token = "scrape-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    s = settings(tmp_path, METRICS_TOKEN=token)
    assert (s.metrics_enabled, s.metrics_token) == (True, token)
    assert token not in repr(s) + repr(s.summary())
    with pytest.raises(ConfigError, match="METRICS_TOKEN is too short"):
        settings(tmp_path, METRICS_TOKEN="short")
    with pytest.raises(ConfigError, match="METRICS_ENABLED"):
        settings(tmp_path, METRICS_ENABLED="maybe")
