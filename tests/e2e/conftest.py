"""The real server, once per backend for the session: SQLite (embedded) and PostgreSQL.

PostgreSQL comes from ``POSTGRES_TEST`` (else the local server); when it is unreachable the
PostgreSQL runs are skipped, or fail when ``REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.client import Client
from tests.e2e.server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    RunningServer,
    fresh_postgres_url,
    running_server,
)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    workdir: Path = tmp_path_factory.mktemp(f"e2e-{request.param}")
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if request.param == "postgres":
            from tests.support.postgres_backend import postgres_dsn

            env["POSTGRES"] = stack.enter_context(fresh_postgres_url(postgres_dsn()))
        yield stack.enter_context(running_server(workdir, request.param, env))


@pytest.fixture
def admin(server: RunningServer) -> Client:
    return Client(server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def tenant(admin: Client) -> str:
    return admin.create_tenant()


@pytest.fixture
def device(server: RunningServer, admin: Client, tenant: str) -> Client:
    """A USER of ``tenant``, logged in like the mobile app."""
    email = admin.create_user(tenant)
    return Client(server.base_url).login(email, "device-password")
