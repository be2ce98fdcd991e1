"""First start of the embedded server, and refusing to start when production is misconfigured."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.client import Client
from tests.e2e.server import running_server

pytestmark = pytest.mark.slow
DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_fresh_data_dir_gets_schema_secret_and_a_one_time_admin_password(tmp_path: Path) -> None:
    no_admin = {"ADMIN_EMAIL": "", "ADMIN_PASSWORD": ""}
    with running_server(tmp_path, "sqlite", no_admin) as server:
        log = server.log_path.read_text()
        password = re.search(r"password: (\S+)", log)
        assert password, log
        Client(server.base_url).login("admin@localhost", password[1])
    data = tmp_path / "data"
    assert (data / "datacollect.sqlite3").exists()
    assert stat.S_IMODE(os.stat(data / "jwt-secret").st_mode) == 0o600
    secret = (data / "jwt-secret").read_text()

    with running_server(tmp_path, "sqlite", no_admin) as again:
        Client(again.base_url).login("admin@localhost", password[1])  # same admin, same DB
        assert "password:" not in again.log_path.read_text()  # printed once, never again
    assert (data / "jwt-secret").read_text() == secret


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "JWT_SECRET is required in production"), ("too-short", "JWT_SECRET is too short")],
)
def test_production_refuses_to_start_without_a_strong_jwt_secret(
    tmp_path: Path, secret: str | None, message: str
) -> None:
    env = {"PATH": os.environ["PATH"], "DATACOLLECT_ENV": "production", "DATA_DIR": str(tmp_path)}
    if secret:
        env["JWT_SECRET"] = secret
    for argv in (
        [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY_CONF)],  # plain gunicorn
        [sys.executable, "-c", "from bootstrap.cli import main; raise SystemExit(main())", "serve"],
    ):
        result = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
