"""The real composition root on SQLite: everything resolves, the app serves, first start works."""

from __future__ import annotations

import importlib
import inspect
import io
import logging
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import falcon.testing
import pytest
import structlog

from application.authenticate import Authenticate
from application.pull import PullEvents
from application.users import Login
from bootstrap.container import build_container
from bootstrap.first_start import prepare_database
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase
from bootstrap.use_cases import use
from bootstrap.wsgi import create_app
from ports.repositories import UnitOfWorkFactory
from ports.security import IdentityProvider


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``create_app`` configures logging for the process; give the next tests theirs back."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers[:], root.level = saved
    structlog.reset_defaults()


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), "BCRYPT_ROUNDS": "4", **env})


def _application_use_cases() -> list[type]:
    """Every class of the application package that is called as a use case."""
    import application

    found = []
    for info in pkgutil.iter_modules(application.__path__, "application."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and "__call__" in vars(value)
                and not attrs.has(value)
            ):
                found.append(value)
    return found


def test_every_use_case_resolves_as_a_shared_singleton(tmp_path: Path) -> None:
    container = build_container(settings_for(tmp_path, LEGACY_SINCE_SKEW="2m"))
    use_cases = _application_use_cases()
    assert len(use_cases) > 25 and Login in use_cases
    for use_case in (*use_cases, PullEvents, Authenticate):
        assert use(container, use_case) is use(container, use_case), use_case
    assert use(container, PullEvents)._skew.total_seconds() == 120
    assert container.resolve(UnitOfWorkFactory) is container.resolve(ManagedDatabase)
    assert type(container.resolve(IdentityProvider)).__name__ == "UserinfoIdentityProvider"


def test_first_start_migrates_and_prints_a_generated_admin_password_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first, second = io.StringIO(), io.StringIO()
    prepare_database(settings, build_container(settings), first)
    prepare_database(settings, build_container(settings), second)
    lines = first.getvalue().splitlines()
    password = next(line.split()[-1] for line in lines if "password:" in line)
    assert any("admin@localhost" in line for line in lines)
    assert second.getvalue() == ""  # the admin exists: nothing created, nothing printed
    assert (tmp_path / "datacollect.sqlite3").exists()
    container = build_container(settings)
    container.resolve(ManagedDatabase).migrate()
    assert use(container, Login)("admin@localhost", password).user_id == 1


def test_configured_admin_is_created_and_nothing_printed(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, ADMIN_EMAIL="Boss@Example.org", ADMIN_PASSWORD="boss-password-1"
    )
    out = io.StringIO()
    prepare_database(settings, build_container(settings), out)
    assert out.getvalue() == ""
    assert use(build_container(settings), Login)("boss@example.org", "boss-password-1").token


def test_production_without_admin_settings_creates_nobody(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, DATACOLLECT_ENV="production", JWT_SECRET="k3Jv9xQ2pL7mZ8rT4wY6uB1nC5dF0gHs",
        BCRYPT_ROUNDS="10",
    )  # fmt: skip
    prepare_database(settings, build_container(settings), io.StringIO())
    with build_container(settings).resolve(UnitOfWorkFactory)() as uow:
        assert uow.users.count_admins() == 0


def test_wsgi_factory_serves_the_api(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "BCRYPT_ROUNDS": "4", "ADMIN_PASSWORD": "admin-password-1"}
    settings = Settings.from_env(env)
    prepare_database(settings, build_container(settings), io.StringIO())
    client = falcon.testing.TestClient(create_app(env))
    assert client.simulate_get("/health").status_code == 200
    login = client.simulate_post(
        "/api/users/login", json={"email": "admin@localhost", "password": "admin-password-1"}
    )
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json['token']}"}
    assert client.simulate_get("/api/users/me", headers=headers).json["email"] == "admin@localhost"
    assert client.simulate_get("/health/db").json["backend"] == "sqlite"
    assert client.simulate_get("/api-docs/openapi.json").status_code == 200
    assert client.simulate_get("/api/apps", headers=headers).status_code == 200  # tenants hook


@pytest.mark.parametrize("name", ["bootstrap.gunicorn_conf"])
def test_gunicorn_settings_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    import importlib
    import sys

    for key, value in {"DATA_DIR": str(tmp_path), "HOST": "::1", "PORT": "4100",
                       "WEB_CONCURRENCY": "3", "WEB_THREADS": "6"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    sys.modules.pop(name, None)
    conf = importlib.import_module(name)
    try:
        assert conf.bind == ["[::1]:4100"]
        assert (conf.workers, conf.threads, conf.worker_class) == (3, 6, "gthread")
        assert conf.preload_app is False and conf.accesslog is None
        assert conf.wsgi_app == "bootstrap.wsgi:create_app()"
    finally:
        sys.modules.pop(name, None)
