"""Assemble the OpenAPI 3.1 document from the route modules, and a 3.0 view for Swagger UI.

The 3.1 document (``/api-docs/openapi.json``) is the contract: schemathesis tests the app
against it. The bundled Swagger UI (4.x) renders only ``openapi: 3.0.n``, so it is fed a
mechanical down-conversion of the same document (nullable types, ``examples`` -> ``example``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from adapters_in.http.config import HttpConfig
from adapters_in.http.openapi.common import PROBLEM_SCHEMA, SECURITY_SCHEMES
from adapters_in.http.routing import RouteModule

_DESCRIPTION = """Central sync server for offline-first field data collection, wire-compatible
with the ID PASS DataCollect client. Errors are RFC 9457 `application/problem+json`.
Tokens from `/api/users/login` last {ttl_h:g} h. Rate limits are shared by every worker and host."""


def build_document(modules: Sequence[RouteModule], config: HttpConfig) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    tags: dict[str, dict[str, str]] = {}
    for module in modules:
        for uri, item in module.paths.items():
            if uri in paths:
                raise ValueError(f"route {uri} is described by two route modules")
            paths[uri] = item
        for name, schema in module.schemas.items():
            if schemas.get(name, schema) != schema:
                raise ValueError(f"schema {name} is defined differently by two route modules")
            schemas[name] = schema
        for tag in module.tags:
            tags.setdefault(tag["name"], dict(tag))
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "DataCollect Sync Server",
            "version": config.api_version,
            "description": _DESCRIPTION.format(ttl_h=config.token_ttl_s / 3600),
        },
        "tags": list(tags.values()),
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
    if config.public_base_url:
        document["servers"] = [{"url": config.public_base_url.rstrip("/")}]
    return document


def _to_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_30(value) for key, value in node.items()}
    kind = out.get("type")
    if isinstance(kind, list):
        others = [k for k in kind if k != "null"]
        out["type"] = others[0] if len(others) == 1 else others
        if "null" in kind:
            out["nullable"] = True
    if isinstance(out.get("examples"), list) and "type" in out:  # a schema, not a media type
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for combinator in ("anyOf", "oneOf"):
        # 3.0 has no "null" type: [X, {"type": "null"}] becomes X with nullable.
        options = out.get(combinator)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            out.pop(combinator)
            if len(rest) == 1:
                out.update({**rest[0], "nullable": True})
            else:
                out.update({combinator: rest, "nullable": True})
    return out


def for_swagger_ui(document: dict[str, Any]) -> dict[str, Any]:
    converted = _to_30(copy.deepcopy(document))
    converted["openapi"] = "3.0.3"
    return converted
