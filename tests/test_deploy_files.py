"""deploy/Dockerfile and deploy/compose.yaml checked against the package they ship.

The image is built and run by hand (docs/operations.md, "Container"); this test keeps the two
files honest wherever no engine runs: the command is the package's console script, every
directory the package needs is copied, every environment variable is one the server reads, and
the settings they give are valid (production mode included).
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters_in.cli.parser import build_parser
from bootstrap.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
# Read by gunicorn (bootstrap/gunicorn_conf.py) or by prometheus_client, not by Settings.
READ_ELSEWHERE = {"FORWARDED_ALLOW_IPS", "PROMETHEUS_MULTIPROC_DIR"}
# Not the server's: Python's own and the image's PATH.
NOT_SETTINGS = {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
SAMPLE = {
    "POSTGRES_PASSWORD": "pg-password",
    "JWT_SECRET": "a" * 48,
    "ADMIN_EMAIL": "ops@example.org",
    "ADMIN_PASSWORD": "a-long-admin-password",
}


def _instructions() -> Iterator[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            yield keyword.upper(), rest.strip()


def _final_stage() -> list[tuple[str, str]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions():
        if keyword == "FROM":
            stages.append([])
        stages[-1].append((keyword, rest))
    return stages[-1]


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in _final_stage():
        if keyword == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


class _Recording(dict[str, str]):
    """An environment that remembers every variable the settings asked for."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)


def _settings_names() -> set[str]:
    env = _Recording({"DATACOLLECT_ENV": "development"})
    Settings.from_env(env, create_files=False)
    return env.asked


def test_the_image_runs_the_packages_console_script_with_serve() -> None:
    [cmd] = [json.loads(rest) for keyword, rest in _final_stage() if keyword == "CMD"]
    assert cmd == ["datacollect", "serve"]
    assert _pyproject()["project"]["scripts"]["datacollect"] == "bootstrap.cli:main"
    assert build_parser().parse_args(cmd[1:]).command == "serve"
    healthcheck = " ".join(rest for keyword, rest in _final_stage() if keyword == "HEALTHCHECK")
    assert "/health'" in healthcheck and "PORT" in healthcheck


def test_the_build_copies_every_package_the_project_installs() -> None:
    copied = {
        rest.split()[0].rstrip("/")
        for keyword, rest in _instructions()
        if keyword == "COPY" and not rest.startswith("--from")
    }
    packages = {
        p.rstrip("*") for p in _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages <= copied, packages - copied
    assert {"pyproject.toml", "README.md"} <= {
        word for keyword, rest in _instructions() if keyword == "COPY" for word in rest.split()
    }
    for package in packages:
        assert (ROOT / package / "__init__.py").is_file()
    # Migrations ship as package data, so `pip install .` in the image carries them.
    assert "*.sql" in _pyproject()["tool"]["setuptools"]["package-data"]["*"]
    assert list((ROOT / "adapters_out" / "postgres" / "migrations").glob("0001_*.sql"))
    base = next(rest for keyword, rest in _instructions() if keyword == "FROM")
    major_minor = re.search(r"python:(\d+\.\d+)", base)
    assert major_minor is not None
    required = _pyproject()["project"]["requires-python"]
    assert required == ">=3.11" and tuple(map(int, major_minor[1].split("."))) >= (3, 11)


def test_the_image_environment_is_read_by_the_server_and_valid_in_production() -> None:
    env = _dockerfile_env()
    known = _settings_names() | READ_ELSEWHERE
    assert set(env) - NOT_SETTINGS <= known, set(env) - NOT_SETTINGS - known
    assert env["DATACOLLECT_ENV"] == "production"
    exposed = [rest for keyword, rest in _final_stage() if keyword == "EXPOSE"]
    assert exposed == [env["PORT"]]
    settings = Settings.from_env(
        {**env, "JWT_SECRET": SAMPLE["JWT_SECRET"], "CORS_ORIGINS": "https://admin.example.org"},
        create_files=False,
    )
    assert (settings.is_production, settings.host, settings.port) == (True, "0.0.0.0", 3000)
    assert str(settings.data_dir) == "/data" and settings.storage == "sqlite"


_SUBSTITUTION = re.compile(r"\$\{([A-Z_]+)(?::([-?])([^}]*))?\}")


def _substitute(text: str, given: Mapping[str, str]) -> str:
    """compose's ${VAR}, ${VAR:-default} and ${VAR:?error} with ``given`` as the shell."""

    def one(match: re.Match[str]) -> str:
        name, kind, arg = match[1], match[2], match[3] or ""
        if given.get(name):
            return given[name]
        if kind == "?":
            raise KeyError(f"{name}: {arg}")
        return arg

    return _SUBSTITUTION.sub(one, text)


def test_compose_builds_this_dockerfile_and_gives_valid_production_settings() -> None:
    doc = yaml.safe_load(COMPOSE.read_text())
    server = doc["services"]["server"]
    context = (COMPOSE.parent / server["build"]["context"]).resolve()
    assert context == ROOT and (context / server["build"]["dockerfile"]) == DOCKERFILE
    assert server["ports"] == ["${PORT:-3000}:3000"]
    assert server["depends_on"]["db"]["condition"] == "service_healthy"

    environment = {k: _substitute(str(v), SAMPLE) for k, v in server["environment"].items()}
    known = _settings_names() | READ_ELSEWHERE
    assert set(environment) <= known, set(environment) - known
    settings = Settings.from_env({**_dockerfile_env(), **environment}, create_files=False)
    assert settings.is_production and settings.storage == "postgres"
    db = doc["services"]["db"]["environment"]
    assert settings.postgres_url == (
        f"postgresql://{db['POSTGRES_USER']}:{SAMPLE['POSTGRES_PASSWORD']}@db:5432/"
        f"{db['POSTGRES_DB']}"
    )
    # The mandatory secrets really are mandatory: compose refuses to start without them.
    for required in ("JWT_SECRET", "POSTGRES_PASSWORD"):
        missing = {k: v for k, v in SAMPLE.items() if k != required}
        with pytest.raises(KeyError, match=required):
            for value in server["environment"].values():
                _substitute(str(value), missing)
    assert server["stop_grace_period"] == "40s"  # longer than gunicorn's graceful_timeout (30 s)
