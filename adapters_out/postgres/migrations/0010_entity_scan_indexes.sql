-- Export and OData pages walk one form's live entities in key order (guid, or updatedAt then
-- guid for $orderby=updatedAt) with keyset paging. With only (tenant_id, entity_name), and no
-- planner statistics (a fresh bulk load, autovacuum late or off), PostgreSQL fetched every row
-- of the form and sorted it for each page: O(rows) per page, minutes for a 100k export in
-- small pages. These indexes hand the rows back in page order, so a page reads only itself.
-- The first replaces entities_live_by_form: its leading columns serve the same counts.
DROP INDEX IF EXISTS entities_live_by_form;
CREATE INDEX entities_live_by_form ON entities (tenant_id, entity_name, guid) WHERE NOT deleted;
CREATE INDEX entities_live_by_form_updated
    ON entities (tenant_id, entity_name, last_updated, guid) WHERE NOT deleted;
