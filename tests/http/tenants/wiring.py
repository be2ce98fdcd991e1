"""The real app (``create_app``) wired by hand over the in-memory database, with the real JWT
and bcrypt adapters, plus the tenant/review route module and its use cases."""

from __future__ import annotations

from typing import Any

import attrs
from falcon import testing

from adapters_in.http.app import create_app
from adapters_in.http.config import HttpConfig
from adapters_in.http.services import HttpServices
from adapters_out.memory.uow import MemoryDatabase
from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from application.pull import PullEvents
from application.push import PushEvents
from domain.users import ADMIN, USER, Principal, User
from tests.support.clock import CountingIds, SteppingClock
from tests.support.wiring import wire_use_cases

PUBLIC_BASE_URL = "https://sync.example.org/base"


class NoIdentityProvider:
    """No external IdP in these tests: every provider token is refused."""

    def validate(self, provider_type: str, fields: Any, token: str) -> None:
        return None


@attrs.define
class Env:
    client: testing.TestClient
    db: Any  # MemoryDatabase unless a test passes another backend
    clock: SteppingClock
    push: PushEvents
    pull: PullEvents
    tokens: JwtTokenIssuer
    principals: dict[str, Principal] = attrs.field(factory=dict)

    def add_user(self, user_id: int, role: str, tenants: tuple[str, ...]) -> dict[str, str]:
        email = f"user{user_id}@example.org"
        with self.db() as uow:
            uow.users.add(
                User(id=user_id, email=email, password_hash="-", role=role, tenants=tenants)  # type: ignore[arg-type]
            )
            uow.commit()
        self.principals[email] = Principal(
            user_id=str(user_id),
            email=email,
            role=role,  # type: ignore[arg-type]
            tenants=tenants,
        )
        token = self.tokens.issue(subject=str(user_id), email=email, role=role)
        return {"Authorization": f"Bearer {token}"}


def make_env(
    public_base_url: str | None = PUBLIC_BASE_URL, db: Any = None
) -> tuple[Env, dict[str, str]]:
    """``db``: any ``UnitOfWorkFactory`` (default: a fresh ``MemoryDatabase``)."""
    db = db if db is not None else MemoryDatabase()
    clock, ids = SteppingClock(), CountingIds()
    tokens = JwtTokenIssuer("test-secret-" + "x" * 32, clock)
    hasher = BcryptPasswordHasher(cost=4)
    use = wire_use_cases(
        db=db, clock=clock, ids=ids, hasher=hasher, tokens=tokens, identities=NoIdentityProvider()
    )
    push, pull = use(PushEvents), use(PullEvents)
    services = HttpServices(use=use)
    config = HttpConfig(public_base_url=public_base_url, rate_limit_per_ip=0, rate_limit_per_user=0)
    client = testing.TestClient(create_app(services, config))
    env = Env(client=client, db=db, clock=clock, push=push, pull=pull, tokens=tokens)
    admin = env.add_user(1, ADMIN, ("*",))
    return env, admin


USER_ROLE = USER
