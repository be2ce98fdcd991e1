"""Events the server issues itself (admin decisions) go through the normal push path, so they
are numbered in the feed and every device pulls them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.push import EventResult, PushEvents
from domain.errors import ValidationFailed
from domain.timestamps import format_instant
from domain.users import Principal
from ports.clock import Clock, IdGenerator


class IssueServerEvent:
    def __init__(self, push: PushEvents, clock: Clock, ids: IdGenerator) -> None:
        self._push, self._clock, self._ids = push, clock, ids

    def __call__(
        self,
        tenant_id: str,
        principal: Principal,
        event_type: str,
        entity_guid: str,
        data: Mapping[str, Any],
    ) -> EventResult:
        """Submit one event as ``principal`` (fresh guid, timestamp = now); raises
        ``ValidationFailed`` with the domain's code when it is rejected."""
        event = {
            "guid": self._ids.new_id(),
            "entityGuid": entity_guid,
            "type": event_type,
            "data": dict(data),
            "timestamp": format_instant(self._clock.now()),
            "userId": principal.user_id,
            "syncLevel": 1,
        }
        result = self._push(tenant_id, principal, [event]).results[0]
        if result.status == "rejected":
            detail = result.message or "the server event was rejected"
            raise ValidationFailed(detail, [("", result.code or "rejected", detail)])
        return result
