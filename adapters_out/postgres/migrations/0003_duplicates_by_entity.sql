-- Dropping an entity's pending duplicate pairs (every push that deletes something) looks the
-- pairs up per entity. Through the partial indexes on pending pairs, a planner without
-- statistics estimated one row both for the exact (tenant, entity) lookup and for a walk of
-- the tenant's pending pairs, and could pick the walk. Plain indexes keep the estimate of the
-- walk above the lookup's whatever the statistics (tests/postgres/test_plans.py).
CREATE INDEX potential_duplicates_by_entity ON potential_duplicates (tenant_id, entity_guid);
CREATE INDEX potential_duplicates_by_duplicate
    ON potential_duplicates (tenant_id, duplicate_guid);
DROP INDEX potential_duplicates_pending_entity;
DROP INDEX potential_duplicates_pending_duplicate;
