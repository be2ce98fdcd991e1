"""Start the REAL server (``datacollect serve`` -> gunicorn, 2 workers) on a free port.

Used by the e2e tests and by ``bench/http_sync.py``. The server gets its own DATA_DIR and, for
PostgreSQL, its own fresh schema (selected through ``options=-csearch_path=...`` in the URL, as
any deployment could), so runs never see each other's rows.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import attrs
import psycopg
import urllib3
from psycopg import sql

ADMIN_EMAIL = "e2e-admin@example.org"
ADMIN_PASSWORD = "e2e-admin-password"
SERVE = [sys.executable, "-c", "from bootstrap.cli import main; raise SystemExit(main())", "serve"]


@attrs.frozen
class RunningServer:
    base_url: str
    backend: str
    log_path: Path
    pid: int

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fresh_postgres_url(dsn: str) -> Iterator[str]:
    """``dsn`` with its own new schema as the search path; the schema is dropped afterwards."""
    schema = f"e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def server_env(data_dir: Path, port: int, extra: Mapping[str, str]) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        DATACOLLECT_ENV="development",
        DATA_DIR=str(data_dir),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        WEB_THREADS="4",
        BCRYPT_ROUNDS="4",
        ADMIN_EMAIL=ADMIN_EMAIL,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
        LOG_LEVEL="WARNING",
        # Every test client is 127.0.0.1 and logs in often: no throttling in these runs.
        RATE_LIMIT_PER_IP="0",
        RATE_LIMIT_PER_USER="0",
        LOGIN_ATTEMPTS_PER_IP="100000",
        LOGIN_ATTEMPTS_PER_EMAIL="100000",
    )
    env.update(extra)
    return env


@contextmanager
def running_server(
    workdir: Path, backend: str, env: Mapping[str, str], startup_timeout_s: float = 90.0
) -> Iterator[RunningServer]:
    port = free_port()
    log_path = workdir / f"server-{backend}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # the gunicorn master, once `serve` has exec'd
            SERVE,
            cwd=workdir,
            env=server_env(workdir / "data", port, env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", backend, log_path, process.pid)
    try:
        _wait_until_healthy(server, process, startup_timeout_s)
        yield server
    finally:
        _stop(process)


def _wait_until_healthy(server: RunningServer, process: subprocess.Popen, timeout_s: float) -> None:
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=1, read=5))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{server.log_tail()}")
        try:
            if http.request("GET", f"{server.base_url}/health").status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become healthy in {timeout_s} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful shutdown), then SIGKILL the whole group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
