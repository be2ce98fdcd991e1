-- When an entity was created (exports, the OData feed's createdAt): set by the first save to
-- the device time of the oldest write in that state (domain.entities.first_written_at),
-- normally its create event; upserts leave it alone. Existing rows take the device time of
-- their oldest event; a row written without it (a bulk load by hand) reads as its
-- last_updated.
ALTER TABLE entities ADD COLUMN created_at timestamptz;
UPDATE entities SET created_at = coalesce(
    (SELECT min(e."timestamp") FROM events e
     WHERE e.tenant_id = entities.tenant_id AND e.entity_guid = entities.guid),
    last_updated);
