-- Export and OData pages walk one form's live entities in key order (guid, or updatedAt then
-- guid for $orderby=updatedAt) with keyset paging; these indexes hand the rows back in page
-- order, so a page reads only itself instead of sorting the whole form
-- (entities_by_form already covers (tenant_id, entity_name, last_updated), not the tie-break).
CREATE INDEX entities_live_by_form_guid ON entities (tenant_id, entity_name, guid) WHERE deleted = 0;
CREATE INDEX entities_live_by_form_updated
    ON entities (tenant_id, entity_name, last_updated, guid) WHERE deleted = 0;
