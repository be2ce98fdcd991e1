-- Restores from backup each tenant's feed went through: cursors handed out before a restore
-- resume at most from the head it restored (domain/cursor.py). Written by `datacollect
-- after-restore`.
CREATE TABLE feed_restores (
    tenant_id     TEXT NOT NULL,
    epoch         INTEGER NOT NULL,
    restored_head INTEGER NOT NULL,
    restored_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, epoch)
) STRICT;
