"""OpenAPI path items of the review routes (potential duplicates, conflicts, quarantine)."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import (
    CONFIG_ID,
    body,
    errors,
    ok,
    path,
    query,
    ref,
    token_operation,
)

_INT = {"type": "integer", "minimum": 0}
_PAGING = [query("limit", _INT, "At most 1000 (default 100)"), query("offset", _INT, "Skip")]

_op = token_operation


PATHS: dict[str, Any] = {
    "/api/potential-duplicates": {
        "get": _op(
            "review",
            "tenant",
            "Potential duplicates (pending ones never block pull)",
            {
                "200": ok("Pairs", {"type": "array", "items": ref("PotentialDuplicate")}),
                **errors(400, 401, 403, 404, 422),
            },
            parameters=[
                CONFIG_ID,
                query(
                    "status",
                    {"type": "string", "enum": ["pending", "kept-both", "deleted", "all"]},
                    "Default pending",
                ),
                *_PAGING,
            ],
        )
    },
    "/api/potential-duplicates/resolve": {
        "post": _op(
            "review",
            "admin",
            "Resolve a pair (admin) by issuing a resolve-duplicate event devices pull",
            {
                "200": ok("Event issued", ref("ServerEventIssued")),
                **errors(400, 401, 403, 404, 422),
            },
            requestBody=body(ref("ResolveDuplicateRequest")),
            parameters=[CONFIG_ID],
        )
    },
    "/api/conflicts": {
        "get": _op(
            "review",
            "admin",
            "Conflicting concurrent edits (admin)",
            {
                "200": ok("Conflicts", {"type": "array", "items": ref("Conflict")}),
                **errors(400, 401, 403, 404, 422),
            },
            parameters=[
                CONFIG_ID,
                query("status", {"type": "string", "enum": ["open", "resolved", "all"]}, "open"),
                *_PAGING,
            ],
        )
    },
    "/api/conflicts/{id}/resolve": {
        "post": _op(
            "review",
            "admin",
            "Resolve a conflict (admin): keep, or apply the other value by a server event",
            {
                "200": ok("Resolved", ref("ConflictResolved")),
                **errors(400, 401, 403, 404, 409, 422),
            },
            parameters=[path("id", "Conflict id", "0" * 32), CONFIG_ID],
            requestBody=body(ref("ResolveConflictRequest")),
        )
    },
    "/api/sync/rejected/{guid}/retry": {
        "post": _op(
            "review",
            "admin",
            "Re-submit a quarantined event through push (admin)",
            {"200": ok("Per-event result", ref("EventResult")), **errors(401, 403, 404, 422)},
            parameters=[path("guid", "Rejected event guid", "0" * 8), CONFIG_ID],
        )
    },
    "/api/sync/rejected/{guid}": {
        "delete": _op(
            "review",
            "admin",
            "Discard a quarantined event (admin; audited)",
            {"204": {"description": "Discarded"}, **errors(401, 403, 404)},
            parameters=[path("guid", "Rejected event guid", "0" * 8), CONFIG_ID],
        )
    },
}
