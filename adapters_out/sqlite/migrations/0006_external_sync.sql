-- External sync: pull/push cursors, the record of every run, and the version of a remote record
-- last pulled (Odoo's write_date or a mock timestamp, kept as the remote wrote it).
ALTER TABLE external_id_map ADD COLUMN last_seen_version TEXT;

CREATE TABLE external_cursors (
    tenant_id  TEXT NOT NULL,
    system     TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, system, direction)
) STRICT;

CREATE TABLE external_runs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    system      TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    pushed      INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    pulled      INTEGER NOT NULL DEFAULT 0,
    errors      TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX external_runs_newest ON external_runs (tenant_id, started_at DESC, id DESC);

-- OpenFn (and other push-back) callbacks: the sha256 of each tenant's callback token, never the
-- token itself.
CREATE TABLE external_callback_tokens (
    tenant_id  TEXT NOT NULL,
    system     TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, system)
) STRICT;
