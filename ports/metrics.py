"""Operational metrics: what the server counts, and how a scrape reads the counts back.

``Metrics`` records; ``MetricsExporter`` renders everything recorded (by every worker process,
where the adapter supports it) for ``GET /metrics``. Implementations: ``NoMetrics`` below (metrics
off, and tests that do not look at them) and ``adapters_out.metrics.prometheus``.
"""

from __future__ import annotations

from typing import Protocol

import attrs


class Metrics(Protocol):
    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request. ``route`` is the route *template* (``/api/users/{user_id}``) or a
        fixed placeholder, never the raw path, so the number of series stays bounded."""
        ...

    def count_push(self, applied: int, duplicates: int, rejected: int) -> None:
        """The outcome of one push: how many of its events got each result."""
        ...

    def count_pull(self, events: int) -> None:
        """One pull page served with this many events."""
        ...


@attrs.frozen(kw_only=True)
class Exposition:
    content_type: str
    body: bytes


class MetricsExporter(Protocol):
    def export(self) -> Exposition: ...


class NoMetrics:
    """Records nothing."""

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        pass

    def count_push(self, applied: int, duplicates: int, rejected: int) -> None:
        pass

    def count_pull(self, events: int) -> None:
        pass
