-- Restores from backup each tenant's feed went through: cursors handed out before a restore
-- resume at most from the head it restored (domain/cursor.py). Written by `datacollect
-- after-restore`.
CREATE TABLE feed_restores (
    tenant_id     text COLLATE "C" NOT NULL,
    epoch         integer NOT NULL,
    restored_head bigint NOT NULL,
    restored_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, epoch)
);
