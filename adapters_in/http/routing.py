"""Route modules: how every group of routes (ours and other teams') plugs into the app.

A ``RouteModule`` registers its resources on the ``falcon.App`` and describes them in OpenAPI
(``paths`` and the ``schemas`` they reference as ``#/components/schemas/<Name>``). The app
registers the built-in modules, then ``HttpServices.extra_routes``, and builds the OpenAPI
document from all of them, so a route cannot exist without its documentation being served
(and the schemathesis test then checks the two agree).

A module takes its use cases from ``kit.use(UseCaseClass)`` when it registers its resources.

Conventions for resources (see ``middleware/authentication.py``): a class attribute
``auth = "public" | "token" | "sync"`` (default ``"token"``); read the caller with
``parsing.principal_of(req)`` and the tenant with ``parsing.tenant_of(req, kit.config.
legacy_default_tenant)``; parse bodies with ``parsing.parse(req, kit.strict or kit.wire, Cls)``;
raise ``domain.errors`` exceptions and let ``problems.py`` render them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import cattrs
import falcon

from adapters_in.http.config import HttpConfig
from ports.metrics import Metrics, NoMetrics

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class HttpKit:
    """What the app hands to every route module."""

    config: HttpConfig
    wire: cattrs.Converter  # ignores unknown keys (device payloads)
    strict: cattrs.Converter  # refuses unknown keys (our own admin bodies)
    resolve: Callable[[type[Any]], Any]
    metrics: Metrics = attrs.field(factory=NoMetrics)

    def use(self, kind: type[T]) -> T:
        """The process-wide instance of a use case (or port), found by its class."""
        return self.resolve(kind)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class RouteModule:
    name: str
    register: Callable[[falcon.App, HttpKit], None]
    paths: Mapping[str, Any] = attrs.field(factory=dict)  # OpenAPI path items by URI
    schemas: Mapping[str, Any] = attrs.field(factory=dict)  # OpenAPI components/schemas
    tags: Sequence[Mapping[str, str]] = ()  # OpenAPI tag objects ({"name", "description"})
