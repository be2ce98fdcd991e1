-- When an entity was first stored (exports, the OData feed's createdAt): the last_updated of
-- the first state written, which is the device time of the event that created it. Upserts
-- leave it alone. Existing rows take the device time of their oldest event.
ALTER TABLE entities ADD COLUMN created_at timestamptz;
UPDATE entities SET created_at = coalesce(
    (SELECT min(e."timestamp") FROM events e
     WHERE e.tenant_id = entities.tenant_id AND e.entity_guid = entities.guid),
    last_updated);
ALTER TABLE entities ALTER COLUMN created_at SET NOT NULL;
