"""Exports stream with constant memory: 200,000 entities, RSS growth under 50 MB.

Measured in a fresh subprocess (``tests/support/export_memory.py``) so that nothing the test
runner holds, or freed memory it keeps, hides or inflates the growth. The database is SQLite
here; ``bench/export.py`` measures the same on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTITIES = 200_000


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.export_memory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:{tmp_path_factory.mktemp('export') / 'big.sqlite3'}"
    _run("fill", url, str(ENTITIES))
    return url


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_exporting_200k_entities_grows_rss_by_less_than_50_mb(big_database: str, kind: str) -> None:
    figures = json.loads(_run("measure", big_database, kind))
    assert figures["rows"] == ENTITIES
    assert figures["growth_mb"] < 50, figures
