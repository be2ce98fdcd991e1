"""Per-request context shared by every layer (stdlib only).

The request id lives here, not in ``bootstrap``, because ``adapters_in`` sets it and may not
import ``bootstrap``; log formatters and use cases can read it without knowing about HTTP.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
