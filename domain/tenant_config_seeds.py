"""Seed records (``entityData``) as ``create-individual`` events with deterministic guids.

The entity guid is ``item.id``, or a UUIDv5 of (tenant, form, position). The event guid is a
UUIDv5 of (tenant, entity guid, content), so uploading the same document again yields the same
events (stored ones are skipped), while a changed seed record yields a new event that updates
its entity.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

import attrs

SEED_NAMESPACE = uuid.UUID("6f1c7f4e-3a53-4d1b-9d8c-5b0d6a0e2c11")
SEED_USER = "system"
SEED_EVENT_TYPE = "create-individual"


@attrs.frozen(kw_only=True)
class Seed:
    """A seed event without its timestamp (given when it is actually submitted)."""

    guid: str
    entity_guid: str
    data: Mapping[str, Any]

    def wire(self, timestamp: str) -> dict[str, Any]:
        return {
            "guid": self.guid,
            "entityGuid": self.entity_guid,
            "type": SEED_EVENT_TYPE,
            "data": dict(self.data),
            "timestamp": timestamp,
            "userId": SEED_USER,
            "syncLevel": 1,
        }


def _uuid5(*parts: str) -> str:
    return str(uuid.uuid5(SEED_NAMESPACE, "\x1f".join(parts)))


def seed_data(item: Mapping[str, Any], form: str) -> dict[str, Any]:
    data = {**item, "entityName": form}
    parent = item.get("parentId")
    if parent:
        data["parentGuid"] = parent
    else:
        data.pop("parentGuid", None)
    name = item.get("name") or item.get("id")
    if name:
        data["name"] = name
    return data


def seeds(tenant_id: str, doc: Mapping[str, Any]) -> list[Seed]:
    """Seed events of a (validated) configuration, in document order."""
    found: list[Seed] = []
    entity_data = doc.get("entityData")
    if not isinstance(entity_data, list):
        return found
    for group in entity_data:
        if not isinstance(group, Mapping) or not isinstance(group.get("data"), list):
            continue
        form = str(group.get("name"))
        for position, item in enumerate(group["data"]):
            if not isinstance(item, Mapping):
                continue
            entity_guid = item.get("id") or _uuid5(tenant_id, form, str(position))
            data = seed_data(item, form)
            content = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
            digest = hashlib.sha256(content.encode()).hexdigest()
            found.append(
                Seed(
                    guid=_uuid5(tenant_id, entity_guid, digest),
                    entity_guid=entity_guid,
                    data=data,
                )
            )
    return found
