"""The HTTP app wired by hand: memory storage, real bcrypt (cost 4) and JWT, a fake IdP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import falcon
import falcon.testing
import pytest

from adapters_in.http.app import create_app
from adapters_in.http.config import HttpConfig
from adapters_in.http.routing import RouteModule
from adapters_in.http.services import HttpServices
from adapters_out.memory.uow import MemoryDatabase
from adapters_out.metrics.prometheus import PrometheusMetrics
from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from adapters_out.system import RandomIds
from application.pull_activity import PullActivity
from application.retention import Cleanup
from domain.tenants import Tenant
from domain.users import User, credential_version
from ports.errors import StorageUnavailable
from ports.limits import RateLimits
from ports.metrics import NoMetrics
from ports.repositories import DatabaseHealth
from ports.security import ExternalIdentity
from tests.support.wiring import wire_use_cases

SECRET = "test-secret-long-enough-for-hs256-and-hs512-" + "0123456789abcdef" * 2
PASSWORD = "correct horse battery"
KEYCLOAK_TOKEN = "kc-token-of-alice"


class MovableClock:
    """Real time plus an offset, so tokens are valid for PyJWT and can be made to expire."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FakeIdentityProvider:
    """Implements ``ports.security.IdentityProvider``: knows one keycloak token."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []

    def validate(
        self, provider_type: str, fields: Mapping[str, Any], token: str
    ) -> ExternalIdentity | None:
        self.calls.append((provider_type, dict(fields), token))
        if provider_type == "keycloak" and token == KEYCLOAK_TOKEN:
            return ExternalIdentity(subject="alice", email="alice@idp.example")
        return None


class SwitchableHealth:
    def __init__(self, db: MemoryDatabase) -> None:
        self.db, self.down = db, False

    def check(self) -> dict[str, Any]:
        if self.down:
            raise StorageUnavailable("the database is unreachable", retry_after_s=7)
        return {"backend": "memory", "latency_ms": 0.0}


@attrs.define
class Api:
    client: falcon.testing.TestClient
    db: MemoryDatabase
    clock: MovableClock
    tokens: JwtTokenIssuer
    idp: FakeIdentityProvider
    health: SwitchableHealth
    users: dict[str, User]
    metrics: PrometheusMetrics | None
    activity: PullActivity
    cleanup: Cleanup

    def token(self, name: str) -> str:
        """An access token as a login now would issue it (with the user's current ``ver``)."""
        with self.db(read_only=True) as uow:
            user = uow.users.get(self.users[name].id)
        assert user is not None, f"{name} was deleted"
        return self.tokens.issue(
            subject=str(user.id),
            email=user.email,
            role=user.role,
            version=credential_version(user),
        )

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name)}"}


def build_api(
    config: HttpConfig | None = None,
    extra_routes: Sequence[RouteModule] = (),
    *,
    metrics_enabled: bool = True,
    rate_limits: RateLimits | None = None,
) -> Api:
    db, clock, idp = MemoryDatabase(), MovableClock(), FakeIdentityProvider()
    # Its own registry, so every app counts from zero; disabled: no /metrics route.
    metrics = PrometheusMetrics() if metrics_enabled else None
    hasher = BcryptPasswordHasher(cost=4)
    tokens = JwtTokenIssuer(SECRET, clock, ttl_s=3600)
    use = wire_use_cases(
        db=db,
        clock=clock,
        ids=RandomIds(),
        hasher=hasher,
        tokens=tokens,
        identities=idp,
        health=SwitchableHealth(db),
        rate_limits=rate_limits,
    )
    health = use(DatabaseHealth)
    activity, cleanup = use(PullActivity), use(Cleanup)
    services = HttpServices(
        use=use,
        extra_routes=extra_routes,
        metrics=metrics or NoMetrics(),
        metrics_exporter=metrics,
    )
    users = {}
    with db() as uow:
        for tenant_id in ("default", "t1", "t2"):
            config_doc: dict[str, Any] = {"name": tenant_id}
            if tenant_id == "t1":
                config_doc["authConfigs"] = [
                    {"type": "keycloak", "fields": {"authority": "https://kc.example/realms/x"}}
                ]
            uow.tenants.add(
                Tenant(
                    id=tenant_id,
                    name=tenant_id,
                    artifact_id=tenant_id.ljust(32, "0"),
                    config=config_doc,
                    secrets={"/authConfigs/0/fields/client_secret": "s3cret"}
                    if tenant_id == "t1"
                    else {},
                )
            )
        for name, role, tenants in (
            ("admin", "ADMIN", ("*",)),
            ("alice", "USER", ("t1",)),
            ("bob", "USER", ("t2",)),
        ):
            users[name] = uow.users.add(
                User(
                    id=0,
                    email=f"{name}@example.org",
                    password_hash=hasher.hash(PASSWORD),
                    role=role,
                    tenants=tenants,
                )
            )
        uow.commit()
    app = create_app(services, config or HttpConfig(rate_limit_per_ip=0, rate_limit_per_user=0))
    return Api(
        client=falcon.testing.TestClient(app),
        db=db,
        clock=clock,
        tokens=tokens,
        idp=idp,
        health=health,
        users=users,
        metrics=metrics,
        activity=activity,
        cleanup=cleanup,
    )


@pytest.fixture
def api() -> Api:
    return build_api()
