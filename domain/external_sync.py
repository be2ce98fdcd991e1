"""External sync rules that need no I/O: which system a configuration names, what an event
means to an outbox, idempotency keys, and the deterministic ids of pulled records."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

# Upstream's type names -> ours. A plug-in's own aliases are resolved by the adapter registry;
# outbox rows, cursors and the id map are keyed by the canonical name, so switching a
# configuration between "openspp-adapter" and "openspp" keeps its history.
ALIASES = {"openspp-adapter": "openspp", "openfn-adapter": "openfn", "mock-sync-server": "mock"}
NO_SYSTEM = ("", "default", "none")
MIN_SCHEDULE_S = 60.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PULL_NAMESPACE = uuid.UUID("5b0e7c38-3d55-4c1e-9a7d-3f6c1f0e2a91")


def system_of(config: Mapping[str, Any]) -> str | None:
    """The canonical external system a tenant configuration syncs with, or None."""
    sync = config.get("externalSync")
    if not isinstance(sync, Mapping):
        return None
    kind = sync.get("type")
    if not isinstance(kind, str) or kind in NO_SYSTEM:
        return None
    return ALIASES.get(kind, kind)


def schedule_seconds(value: object) -> float | None:
    """``externalSync.schedule`` (seconds, or "15m", "1h", "1d") in seconds; None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value[:-1].isdigit() and value[-1:] in _UNITS:
        return float(int(value[:-1]) * _UNITS[value[-1]])
    if isinstance(value, str) and value.isdigit():
        return float(value)
    return None


def schedule_of(config: Mapping[str, Any]) -> float | None:
    """How often a tenant's external sync runs by itself (None: only when triggered)."""
    sync = config.get("externalSync")
    if not isinstance(sync, Mapping) or sync.get("schedule") in (None, "", 0):
        return None
    seconds = schedule_seconds(sync["schedule"])
    return seconds if seconds is not None and seconds >= MIN_SCHEDULE_S else None


def puller_id(system: str) -> str:
    """The user id pulled events carry: how the outbox recognises (and never echoes) them."""
    return f"external:{system}"


def outbox_op(event_type: str) -> str:
    if event_type.startswith("create-"):
        return "create"
    if event_type == "delete-entity":
        return "delete"
    if event_type == "add-member":
        return "link"
    if event_type == "remove-member":
        return "unlink"
    return "update"


def idempotency_key(tenant_id: str, system: str, event_guid: str) -> str:
    return hashlib.sha256(f"{tenant_id}|{system}|{event_guid}".encode()).hexdigest()


def pulled_entity_guid(system: str, model: str, external_id: str) -> str:
    return str(uuid.uuid5(PULL_NAMESPACE, f"{system}:{model}:{external_id}"))


def pulled_event_guid(system: str, model: str, external_id: str, version: str) -> str:
    """Same record, same version -> same guid: a re-pull is a duplicate, never a new event."""
    return str(uuid.uuid5(PULL_NAMESPACE, f"{system}:{model}:{external_id}:{version}"))
