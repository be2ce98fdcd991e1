"""Small builders for domain objects used by the contract suite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.conflicts import Conflict
from domain.entities import Entity, FieldWrite
from domain.events import Event
from domain.tenants import Tenant
from domain.users import User

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def tenant(tenant_id: str = "t1", name: str | None = None, **config: Any) -> Tenant:
    return Tenant(
        id=tenant_id,
        name=name or f"Tenant {tenant_id}",
        artifact_id=(tenant_id.encode().hex() + "0" * 32)[:32],
        config={"id": tenant_id, "name": name or f"Tenant {tenant_id}", **config},
        secrets={"/externalSync/extraFields/0/value": "s3cret"},
        created_at=T0,
        updated_at=T0,
    )


def event(
    guid: str,
    entity_guid: str = "e1",
    *,
    at: float = 0,
    type_: str = "create-individual",
    data: dict[str, Any] | None = None,
    received: float = 100,
    user: str = "u1",
) -> Event:
    return Event(
        guid=guid,
        entity_guid=entity_guid,
        type=type_,
        data=data if data is not None else {"name": "Ann", "nested": {"a": [1, 2]}},
        timestamp=t(at),
        user_id=user,
        sync_level=1,
        received_at=t(received),
        pushed_by="7",
    )


def entity(
    guid: str,
    *,
    name: str = "Ann",
    updated: float = 0,
    deleted: bool = False,
    type_: str = "individual",
    members: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> Entity:
    writer = FieldWrite(
        event_guid="ev-" + guid, user_id="u1", timestamp=t(updated), received_at=t(updated + 1)
    )
    body = data if data is not None else {"name": name, "entityName": "person", "age": 3}
    return Entity(
        guid=guid,
        type=type_,
        name=name,
        data=body,
        version=2,  # type: ignore[arg-type]
        last_updated=t(updated),
        member_ids=members,
        deleted=deleted,
        last_event_key=(t(updated), "ev-" + guid),
        deleted_by=(t(updated), "del-" + guid) if deleted else None,
        provenance=dict.fromkeys(body, writer),
        external_ids={"openspp": "42"},
    )


def user(
    email: str = "ann@example.org", role: str = "USER", tenants: tuple[str, ...] = ("t1",)
) -> User:
    return User(
        id=0,
        email=email,
        password_hash="$2b$04$hash",
        role=role,  # type: ignore[arg-type]
        tenants=tenants,
        created_at=T0,
        updated_at=T0,
    )


def conflict(entity_guid: str, loser: str, *, detected: float = 0) -> Conflict:
    base = Conflict.create(
        entity_guid=entity_guid,
        kind="concurrent-update",
        field="age",
        winner="w-" + loser,
        loser=loser,
        winner_value=4,
        loser_value={"v": [3]},
    )
    from attrs import evolve

    return evolve(base, detected_at=t(detected))
