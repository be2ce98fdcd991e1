"""Events the server issues itself (admin decisions) go through the normal push path, so they
are numbered in the feed and every device pulls them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from application.push import EventResult, PushEvents
from domain.errors import ValidationFailed
from domain.timestamps import format_instant, shifted
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
        not_before: datetime | None = None,
    ) -> EventResult:
        """Submit one event as ``principal`` (fresh guid); raises ``ValidationFailed`` with the
        domain's code when it is rejected.

        The timestamp is now, but never earlier than 1 ms after ``not_before`` (the last event
        the decision was based on): a device clock running ahead of the server must not make
        an admin's decision sort before the state it decided about, where the fold would
        undo it.
        """
        timestamp = self._clock.now()
        if not_before is not None and timestamp <= not_before:
            timestamp = shifted(not_before, timedelta(milliseconds=1))
        event = {
            "guid": self._ids.new_id(),
            "entityGuid": entity_guid,
            "type": event_type,
            "data": dict(data),
            "timestamp": format_instant(timestamp),
            "userId": principal.user_id,
            "syncLevel": 1,
        }
        result = self._push(tenant_id, principal, [event]).results[0]
        if result.status == "rejected":
            detail = result.message or "the server event was rejected"
            raise ValidationFailed(detail, [("", result.code or "rejected", detail)])
        return result
