from __future__ import annotations

import pytest

from tests.http.tenants.wiring import Env, make_env


@pytest.fixture
def wired() -> tuple[Env, dict[str, str]]:
    return make_env()


@pytest.fixture
def env(wired: tuple[Env, dict[str, str]]) -> Env:
    return wired[0]


@pytest.fixture
def admin(wired: tuple[Env, dict[str, str]]) -> dict[str, str]:
    return wired[1]
