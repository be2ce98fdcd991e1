"""Everything the HTTP layer needs from outside, handed to ``create_app`` explicitly.

``use`` finds a use case (or a port such as ``DatabaseHealth``) by its class: a route module
asks ``kit.use(PushEvents)`` where it builds its resources, so a use case is named only where
it is used. ``bootstrap`` backs it with the container; tests back it with their own wiring.

``extra_routes`` is the extension hook for route groups owned outside this package (tests, a
plug-in): each is a ``routing.RouteModule`` whose ``register(app, kit)`` adds its resources and
whose ``paths``/``schemas`` are merged into ``/api-docs/openapi.json``.

``metrics`` records requests (middleware) and push/pull counts (the sync resources); it records
nothing by default. ``metrics_exporter`` serves ``GET /metrics``; without one (metrics off)
that route does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from adapters_in.http.routing import RouteModule
from ports.metrics import Metrics, MetricsExporter, NoMetrics


@attrs.frozen(kw_only=True)
class HttpServices:
    use: Callable[[type[Any]], Any]
    extra_routes: Sequence[RouteModule] = ()
    metrics: Metrics = attrs.field(factory=NoMetrics)
    metrics_exporter: MetricsExporter | None = None
