"""Events: what devices create offline, and the server's metadata about them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

# The wire field names of an event, in the order the protocol lists them.
WIRE_FIELDS = ("guid", "entityGuid", "type", "data", "timestamp", "userId", "syncLevel")

SYNCED = 1  # the server stores every accepted event at sync level 1 (REMOTE) - protocol compat


@attrs.frozen(kw_only=True)
class Event:
    """A form submission. ``seq``/``received_at``/``pushed_by`` are set by the server."""

    guid: str
    entity_guid: str
    type: str
    data: Mapping[str, Any]
    timestamp: datetime
    user_id: str
    sync_level: int = SYNCED
    seq: int | None = None
    received_at: datetime | None = None
    pushed_by: str | None = None

    @property
    def order_key(self) -> tuple[datetime, str]:
        """Fold order: device time, then guid as a deterministic tie-breaker."""
        return (self.timestamp, self.guid)

    def content_fingerprint(self) -> str:
        """What makes two pushes of one guid "the same event" (protocol: Push).

        ``syncLevel``, ``userId`` and unknown fields are left out on purpose: the client re-pushes
        pulled events with its own values for those.
        """
        return json.dumps(
            [self.type, self.entity_guid, self.data, self.timestamp.isoformat()],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def same_content(self, other: Event) -> bool:
        return self.content_fingerprint() == other.content_fingerprint()
