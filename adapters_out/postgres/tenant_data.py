"""Which tables hold a tenant's data (deleted with the tenant, in one round trip)."""

from __future__ import annotations

# Every table keyed by tenant_id except ``tenants`` itself; a new table belongs here too.
TENANT_TABLES = (
    "events",
    "feed_heads",
    "event_touches",
    "entities",
    "entity_match_keys",
    "conflicts",
    "potential_duplicates",
    "quarantine",
    "audit_log",
    "external_outbox",
    "external_id_map",
    "pull_activity",
    "external_cursors",
    "external_runs",
    "external_callback_tokens",
    "feed_restores",
)
