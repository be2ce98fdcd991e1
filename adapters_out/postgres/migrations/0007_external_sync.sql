-- External sync: pull/push cursors, the record of every run, and the version of a remote record
-- last pulled (Odoo's write_date or a mock timestamp, kept as the remote wrote it).
ALTER TABLE external_id_map ADD COLUMN last_seen_version text;

CREATE TABLE external_cursors (
    tenant_id  text COLLATE "C" NOT NULL,
    system     text COLLATE "C" NOT NULL,
    direction  text NOT NULL CHECK (direction IN ('push', 'pull')),
    cursor     text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, system, direction)
);

CREATE TABLE external_runs (
    id          text COLLATE "C" PRIMARY KEY,
    tenant_id   text COLLATE "C" NOT NULL,
    system      text COLLATE "C" NOT NULL,
    trigger     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    pushed      integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    pulled      integer NOT NULL DEFAULT 0,
    errors      jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX external_runs_newest ON external_runs (tenant_id, started_at DESC, id DESC);

-- OpenFn (and other push-back) callbacks: the sha256 of each tenant's callback token, never the
-- token itself.
CREATE TABLE external_callback_tokens (
    tenant_id  text COLLATE "C" NOT NULL,
    system     text COLLATE "C" NOT NULL,
    token_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, system)
);
