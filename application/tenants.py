"""App configurations (tenants): create, update, delete.

Needs, besides storage and the clock: ``TenantConfigRules`` (the installed external-sync adapter
types), a ``SecretBox`` (tenant secrets at rest) and ``SeedEntities`` (entityData on save).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from application.access import require_admin
from application.tenant_seeding import SeedEntities
from domain.errors import NotFound, ValidationFailed
from domain.tenant_config import BUILT_IN_SYNC_TYPES, tenant_config_problems
from domain.tenant_config_secrets import kept_secrets, mask
from domain.tenants import Tenant
from domain.users import Principal
from ports.clock import Clock, IdGenerator
from ports.repositories import UnitOfWorkFactory
from ports.secrets import SecretBox

SERVER_KEYS = ("artifactId", "syncServerUrl", "createdAt", "updatedAt")  # ignored in uploads
# The upstream admin app's edit view PUTs the document without these two: an update that omits
# one keeps the stored value; an explicit value (even [] or null) replaces it.
KEPT_WHEN_OMITTED = ("roles", "entityData")


@attrs.frozen(kw_only=True)
class TenantConfigRules:
    sync_types: tuple[str, ...] = BUILT_IN_SYNC_TYPES


@attrs.frozen(kw_only=True)
class AppSaved:
    tenant_id: str
    artifact_id: str
    seeded: int  # seed events applied by this call


def _prepare(
    doc: object,
    rules: TenantConfigRules,
    box: SecretBox,
    stored: Tenant | None,
    extra: list[tuple[str, str, str]] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate ``doc`` and split it into the masked document and sealed secrets."""
    problems = list(extra or []) + tenant_config_problems(doc, rules.sync_types)
    if problems or not isinstance(doc, Mapping):
        raise ValidationFailed("the app configuration is invalid", problems)
    body = {k: v for k, v in doc.items() if k not in SERVER_KEYS}
    kept, secret_problems = kept_secrets(
        body, stored.config if stored else {}, stored.secrets if stored else {}
    )
    if secret_problems:
        raise ValidationFailed("the app configuration is invalid", secret_problems)
    masked, found = mask(body)
    secrets = {p: kept[p] if p in kept else box.seal(v) for p, v in found.items()}
    return masked, secrets


class CreateTenant:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        box: SecretBox,
        seeder: SeedEntities,
        rules: TenantConfigRules,
    ) -> None:
        self._uow_factory, self._clock, self._ids, self._box = uow_factory, clock, ids, box
        self._seeder, self._rules = seeder, rules

    def __call__(self, principal: Principal, doc: object) -> AppSaved:
        """Raises ``AlreadyExists`` when the id is taken (use ``UpdateTenant``)."""
        require_admin(principal)
        config, secrets = _prepare(doc, self._rules, self._box, None)
        now = self._clock.now()
        tenant = Tenant(
            id=config["id"],
            name=config["name"],
            artifact_id=hashlib.sha256(self._ids.new_id().encode()).hexdigest()[:32],
            config=config,
            secrets=secrets,
            created_at=now,
            updated_at=now,
        )
        with self._uow_factory() as uow:
            uow.tenants.add(tenant)
            uow.commit()
        outcome = self._seeder(tenant.id, config)
        return AppSaved(tenant_id=tenant.id, artifact_id=tenant.artifact_id, seeded=outcome.applied)


class UpdateTenant:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        box: SecretBox,
        seeder: SeedEntities,
        rules: TenantConfigRules,
    ) -> None:
        self._uow_factory, self._clock, self._box = uow_factory, clock, box
        self._seeder, self._rules = seeder, rules

    def __call__(self, principal: Principal, tenant_id: str, doc: object) -> AppSaved:
        """Replace the document; keeps the artifactId, every secret sent back as "***", and
        the stored ``roles`` / ``entityData`` when the update omits them."""
        require_admin(principal)
        mismatch = []
        if isinstance(doc, Mapping) and doc.get("id") not in (None, tenant_id):
            mismatch.append(("/id", "id-mismatch", "Config id mismatch between payload and URL"))
        with self._uow_factory() as uow:
            stored = uow.tenants.get(tenant_id)
            if stored is None:
                raise NotFound(
                    f"configuration {tenant_id!r} does not exist", code="tenant-not-found"
                )
            if isinstance(doc, Mapping):
                omitted = [k for k in KEPT_WHEN_OMITTED if k not in doc and k in stored.config]
                doc = {**doc, **{k: stored.config[k] for k in omitted}}
            config, secrets = _prepare(doc, self._rules, self._box, stored, mismatch)
            updated = attrs.evolve(
                stored,
                name=config["name"],
                config=config,
                secrets=secrets,
                updated_at=self._clock.now(),
            )
            uow.tenants.update(updated)
            uow.commit()
        outcome = self._seeder(tenant_id, config)
        return AppSaved(tenant_id=tenant_id, artifact_id=stored.artifact_id, seeded=outcome.applied)


class DeleteTenant:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(self, principal: Principal, tenant_id: str) -> None:
        """Removes the tenant and all its data in one transaction."""
        require_admin(principal)
        with self._uow_factory() as uow:
            if not uow.tenants.delete(tenant_id):
                raise NotFound(
                    f"configuration {tenant_id!r} does not exist", code="tenant-not-found"
                )
            uow.commit()
