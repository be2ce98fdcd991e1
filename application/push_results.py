"""Per-event push results (the wire shape is rendered by the HTTP adapter)."""

from __future__ import annotations

from typing import Literal

import attrs

Status = Literal["applied", "duplicate", "rejected"]


@attrs.frozen(kw_only=True)
class EventResult:
    guid: str | None
    status: Status
    code: str | None = None
    message: str | None = None
