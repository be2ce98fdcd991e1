"""The real app (``create_app``) wired by hand over the in-memory database, with the real JWT
and bcrypt adapters, plus the tenant/review route module and its use cases."""

from __future__ import annotations

from typing import Any

import attrs
from falcon import testing

from adapters_in.http.app import create_app
from adapters_in.http.config import HttpConfig
from adapters_in.http.services import HttpServices
from adapters_in.http.tenants import TenantServices, tenant_routes
from adapters_out.memory.uow import MemoryDatabase
from adapters_out.qr.segno_renderer import SegnoQrRenderer
from adapters_out.secrets.boxes import FernetSecretBox
from adapters_out.security.bcrypt_hasher import BcryptPasswordHasher
from adapters_out.security.jwt_tokens import JwtTokenIssuer
from application.artifacts import GetArtifact, RenderArtifactQr
from application.audit_logs import PullAuditLogs, PushAuditLogs
from application.authenticate import Authenticate, CheckTenantAccess
from application.duplicate_detection import DuplicateDetector
from application.entities import (
    CountEntities,
    CountEntitiesByForm,
    EntityEvents,
    GetEntity,
    ListEntities,
)
from application.pull import PullEvents
from application.push import PushEvents
from application.quarantine import ListRejectedEvents
from application.review_conflicts import ListConflicts, ResolveConflict
from application.review_duplicates import ListDuplicates, ResolveDuplicate
from application.review_quarantine import DiscardRejected, RetryRejected
from application.server_events import IssueServerEvent
from application.sync_status import SyncStatus
from application.tenant_reads import GetApp, ListApps
from application.tenant_seeding import SeedEntities
from application.tenants import AppConfigRules, CreateApp, DeleteApp, UpdateApp
from application.user_admin import ManageUsers
from application.users import CurrentUser, Login
from domain.duplicates import stdlib_similarity
from domain.event_types import EventTypes
from domain.users import ADMIN, USER, Principal, User
from tests.support.clock import CountingIds, SteppingClock

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
    push = PushEvents(db, clock, ids, EventTypes(), DuplicateDetector(stdlib_similarity))
    pull = PullEvents(db)
    current = CurrentUser(db)
    box = FernetSecretBox(["test-secret-key"])
    seeder = SeedEntities(db, push, clock)
    rules = AppConfigRules()
    issue = IssueServerEvent(push, clock, ids)
    tenant_services = TenantServices(
        list_apps=ListApps(db),
        get_app=GetApp(db),
        create_app=CreateApp(db, clock, ids, box, seeder, rules),
        update_app=UpdateApp(db, clock, box, seeder, rules),
        delete_app=DeleteApp(db),
        get_artifact=GetArtifact(db),
        artifact_qr=RenderArtifactQr(db, SegnoQrRenderer()),
        list_entities=ListEntities(db),
        count_entities=CountEntities(db),
        count_by_form=CountEntitiesByForm(db),
        get_entity=GetEntity(db),
        entity_events=EntityEvents(db),
        list_duplicates=ListDuplicates(db),
        resolve_duplicate=ResolveDuplicate(db, issue),
        list_conflicts=ListConflicts(db),
        resolve_conflict=ResolveConflict(db, issue, clock),
        retry_rejected=RetryRejected(db, push),
        discard_rejected=DiscardRejected(db, clock, ids),
    )
    services = HttpServices(
        login=Login(db, hasher, tokens),
        users=ManageUsers(db, hasher, clock),
        current_user=current,
        authenticate=Authenticate(db, tokens, NoIdentityProvider(), current, clock),
        push=push,
        pull=pull,
        push_audit_logs=PushAuditLogs(db),
        pull_audit_logs=PullAuditLogs(db),
        rejected_events=ListRejectedEvents(db),
        tenant_access=CheckTenantAccess(db),
        health=db,
        sync_status=SyncStatus(db),
        extra_routes=(tenant_routes(tenant_services),),
    )
    config = HttpConfig(public_base_url=public_base_url, rate_limit_per_ip=0, rate_limit_per_user=0)
    client = testing.TestClient(create_app(services, config))
    env = Env(client=client, db=db, clock=clock, push=push, pull=pull, tokens=tokens)
    admin = env.add_user(1, ADMIN, ("*",))
    return env, admin


USER_ROLE = USER
