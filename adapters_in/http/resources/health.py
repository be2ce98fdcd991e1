"""/health (the process answers) and /health/db (a database round trip, 503 when down)."""

from __future__ import annotations

import falcon

from adapters_in.http.openapi.common import PUBLIC, errors, ok
from adapters_in.http.routing import HttpKit, RouteModule
from ports.repositories import DatabaseHealth


class HealthResource:
    auth = "public"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class DatabaseHealthResource:
    auth = "public"  # load balancers probe it without credentials; it reveals no data

    def __init__(self, health: DatabaseHealth) -> None:
        self._health = health

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # StorageUnavailable propagates: problems.py turns it into 503 + Retry-After.
        resp.media = {"status": "ok", **self._health.check()}


_STATUS = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}
PATHS = {
    "/health": {
        "get": {
            "tags": ["operations"],
            "summary": "The process is serving",
            "security": PUBLIC,
            "x-access": "public",
            "responses": {"200": ok("Serving", _STATUS, {"status": "ok"}), **errors()},
        }
    },
    "/health/db": {
        "get": {
            "tags": ["operations"],
            "summary": "Database round trip with latency and pool figures",
            "security": PUBLIC,
            "x-access": "public",
            "responses": {
                "200": ok(
                    "Reachable",
                    {**_STATUS, "additionalProperties": True},
                    {"status": "ok", "latency_ms": 0.8, "pool": {"size": 4, "available": 3}},
                ),
                **errors(503),
            },
        }
    },
}


def routes() -> RouteModule:
    def register(app: falcon.App, kit: HttpKit) -> None:
        app.add_route("/health", HealthResource())
        app.add_route("/health/db", DatabaseHealthResource(kit.use(DatabaseHealth)))

    return RouteModule(
        name="health",
        register=register,
        paths=PATHS,
        tags=[{"name": "operations", "description": "Health and documentation"}],
    )
