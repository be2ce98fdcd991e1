-- Operations: the last pull per tenant (flushed in batches by each worker, never one write per
-- pull) and the history of scheduled jobs (the retention cleanup), read by /health/sync.
CREATE TABLE pull_activity (
    tenant_id    text COLLATE "C" PRIMARY KEY,
    last_pull_at timestamptz NOT NULL
);

CREATE TABLE job_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    runner      text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    dry_run     boolean NOT NULL,
    counts      jsonb NOT NULL,
    error       text
);
CREATE INDEX job_runs_by_name ON job_runs (name, started_at DESC, id DESC);

-- Retention deletes by age; these keep it from scanning whole tables.
CREATE INDEX audit_log_server_reads ON audit_log ("timestamp")
    WHERE origin = 'server' AND (action LIKE 'read-%' OR action = 'search-entities');
CREATE INDEX external_outbox_delivered ON external_outbox (updated_at) WHERE status = 'done';
CREATE INDEX quarantine_by_age ON quarantine (received_at);
