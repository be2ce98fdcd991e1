"""Public artifacts of an app configuration (no authentication): the document a device
downloads, without any secret, and a QR code of its URL. Generated on request, never stale."""

from __future__ import annotations

from typing import Any

from domain.errors import NotFound
from domain.tenant_config_secrets import strip_secrets
from ports.qr import QrRenderer
from ports.repositories import UnitOfWorkFactory


def artifact_url(base_url: str, artifact_id: str) -> str:
    return f"{base_url.rstrip('/')}/artifacts/{artifact_id}.json"


class GetArtifact:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def __call__(self, artifact_id: str, base_url: str) -> dict[str, Any]:
        """The configuration without secrets, plus ``syncServerUrl``."""
        with self._uow_factory(read_only=True) as uow:
            tenant = uow.tenants.get_by_artifact(artifact_id)
        if tenant is None:
            raise NotFound("Config not found", code="artifact-not-found")
        return {
            **strip_secrets(tenant.config),
            "artifactId": tenant.artifact_id,
            "syncServerUrl": base_url.rstrip("/"),
        }


class RenderArtifactQr:
    def __init__(self, uow_factory: UnitOfWorkFactory, renderer: QrRenderer) -> None:
        self._uow_factory, self._renderer = uow_factory, renderer

    def __call__(self, artifact_id: str, base_url: str) -> bytes:
        """A PNG QR code of the artifact's JSON URL."""
        with self._uow_factory(read_only=True) as uow:
            tenant = uow.tenants.get_by_artifact(artifact_id)
        if tenant is None:
            raise NotFound("Config not found", code="artifact-not-found")
        return self._renderer.png(artifact_url(base_url, tenant.artifact_id))
