"""OpenAPI for /health/sync and /metrics."""

from __future__ import annotations

from typing import Any

from adapters_in.http.openapi.common import PUBLIC, TOKEN, errors, ok, problem, query, ref

_COUNT = {"type": "integer", "minimum": 0}
SCHEMAS: dict[str, Any] = {
    "TenantSyncStatus": {
        "type": "object",
        "required": [
            "tenantId", "feedHead", "events", "lastPushAt", "lastPullAt", "quarantined",
            "pendingDuplicates", "openConflicts", "externalOutbox",
        ],
        "properties": {
            "tenantId": {"type": "string"},
            "feedHead": {**_COUNT, "description": "Feed position of the newest event (0: empty)"},
            "events": {**_COUNT, "description": "Events in the feed"},
            "lastPushAt": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When the server last received an applied event (null: never)",
            },
            "lastPullAt": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When a device last pulled this tenant's feed (null: never). "
                "Each worker notes pulls in memory and writes them at most every "
                "PULL_ACTIVITY_FLUSH seconds, so another worker's pulls may show that late",
            },
            "quarantined": {**_COUNT, "description": "Rejected events kept for review"},
            "pendingDuplicates": {**_COUNT, "description": "Potential duplicates to review"},
            "openConflicts": {**_COUNT, "description": "Conflicts not yet resolved"},
            "externalOutbox": {
                "type": ["object", "null"],
                "description": "External sync: outbox rows by status (pending, done, rejected, "
                "dead) and the last run; null when the tenant never synced with one",
            },
        },
    },
    "JobRun": {
        "type": "object",
        "required": ["id", "runner", "startedAt", "finishedAt", "status", "counts", "error"],
        "properties": {
            "id": {"type": "integer"},
            "runner": {"type": "string", "description": "host:pid of the process that ran it"},
            "startedAt": {"type": "string", "format": "date-time"},
            "finishedAt": {"type": ["string", "null"], "format": "date-time"},
            "status": {"type": "string", "enum": ["running", "succeeded", "failed"]},
            "counts": {
                "type": "object",
                "additionalProperties": _COUNT,
                "description": "Rows deleted per retention target",
            },
            "error": {"type": ["string", "null"], "description": "The error's kind, if failed"},
        },
    },
    "SyncStatusReport": {
        "type": "object",
        "required": ["status", "tenants", "total", "offset", "truncated", "retention"],
        "properties": {
            "status": {"type": "string", "const": "ok"},
            "tenants": {"type": "array", "items": ref("TenantSyncStatus")},
            "total": {**_COUNT, "description": "Tenants in all"},
            "offset": _COUNT,
            "truncated": {
                "type": "boolean",
                "description": "More tenants follow: ask again with `offset` + `limit`",
            },
            "retention": {
                "type": "object",
                "required": ["recentRuns"],
                "properties": {
                    "recentRuns": {
                        "type": "array",
                        "items": ref("JobRun"),
                        "description": "The cleanup's last runs (any worker or host), newest "
                        "first",
                    }
                },
            },
        },
    },
}  # fmt: skip

_EXAMPLE = {
    "status": "ok",
    "tenants": [
        {
            "tenantId": "default",
            "feedHead": 1520,
            "events": 1520,
            "lastPushAt": "2025-03-01T09:00:00.000Z",
            "lastPullAt": "2025-03-01T09:05:00.000Z",
            "quarantined": 2,
            "pendingDuplicates": 5,
            "openConflicts": 1,
            "externalOutbox": None,
        }
    ],
    "total": 1,
    "offset": 0,
    "truncated": False,
    "retention": {
        "recentRuns": [
            {
                "id": 42,
                "runner": "app-1:4711",
                "startedAt": "2025-03-01T08:00:00.000Z",
                "finishedAt": "2025-03-01T08:00:01.250Z",
                "status": "succeeded",
                "counts": {"read-audit": 120, "delivered-outbox": 0, "job-runs": 1},
                "error": None,
            }
        ]
    },
}
SYNC_PATHS: dict[str, Any] = {
    "/health/sync": {
        "get": {
            "tags": ["operations"],
            "summary": "Sync figures per tenant (admins only)",
            "description": "Per tenant, in tenant id order: feed head, event count, last push, "
            "last pull, quarantine size, pending duplicates and open conflicts, read from one "
            "snapshot. "
            "At most 1000 tenants per call; `truncated` says more follow. `externalOutbox` is "
            "always null: external sync does not exist yet. Requires an ADMIN token, because "
            "it names every tenant (`/health` and `/health/db` stay public). `retention` "
            "lists the retention cleanup's recent runs with what each deleted.",
            "security": TOKEN,
            "x-access": "admin",
            "parameters": [
                query("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                      "Tenants per call (default and maximum 1000)"),
                query("offset", {"type": "integer", "minimum": 0}, "Tenants to skip"),
            ],
            "responses": {
                "200": ok("Per-tenant figures", ref("SyncStatusReport"), _EXAMPLE),
                **errors(400, 401, 403, 503),
            },
        }
    },
}  # fmt: skip

_EXPOSITION = "# TYPE datacollect_sync_pulled_events_total counter\n"
METRICS_PATHS: dict[str, Any] = {
    "/metrics": {
        "get": {
            "tags": ["operations"],
            "summary": "Prometheus metrics (text exposition format)",
            "description": "Prometheus text format (`text/plain; version=1.0.0`), summed over "
            "all worker processes: `datacollect_http_requests_total` and "
            "`datacollect_http_request_duration_seconds` (by route template, method and "
            "status class), `datacollect_sync_pushed_events_total` (by result), "
            "`datacollect_sync_pulled_events_total`, and on PostgreSQL the pool gauges "
            "`datacollect_db_pool_connections` and `datacollect_db_pool_waiting_requests`. "
            "When the server sets `METRICS_TOKEN`, send `Authorization: Bearer <METRICS_TOKEN>` "
            "(else 401); without it the route is open, so restrict it at the reverse proxy. "
            "Absent when `METRICS_ENABLED=false`.",
            "security": PUBLIC,
            "x-access": "metrics-token",
            "responses": {
                "200": {
                    "description": "The exposition",
                    "content": {
                        "text/plain": {"schema": {"type": "string"}, "example": _EXPOSITION}
                    },
                },
                "401": problem(401),
                **errors(),
            },
        }
    },
}
