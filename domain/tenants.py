"""Tenants: one app configuration each; every piece of data belongs to exactly one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_TENANT_ID = 100


def valid_tenant_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TENANT_ID and bool(TENANT_ID.match(value))


@attrs.frozen(kw_only=True)
class Tenant:
    id: str
    name: str
    artifact_id: str
    # The app configuration document as stored, *without* secrets (see ``secrets``).
    config: Mapping[str, Any] = attrs.field(factory=dict)
    # Secret values pulled out of the document, keyed by JSON pointer; never rendered.
    secrets: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def description(self) -> str:
        value = self.config.get("description")
        return value if isinstance(value, str) else ""

    @property
    def version(self) -> str:
        value = self.config.get("version")
        return value if isinstance(value, str) else ""
