-- Initial schema: the same logical model as the PostgreSQL adapter, every key led by tenant_id.
-- STRICT tables make SQLite enforce the declared column types.
-- Instants are fixed-width ISO-8601 UTC TEXT (see codec.py), JSON values are TEXT.

CREATE TABLE tenants (
    tenant_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    version     TEXT NOT NULL,          -- config.version when it is a string, else ''
    config      TEXT NOT NULL,          -- JSON object, secrets removed
    secrets     TEXT NOT NULL,          -- JSON object: JSON pointer -> secret value
    created_at  TEXT,
    updated_at  TEXT
) STRICT;
CREATE INDEX tenants_by_artifact ON tenants (artifact_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,   -- ids are never reused (tokens name them)
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,                -- casefolded email
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'USER')),
    tenants       TEXT NOT NULL,                       -- JSON array of tenant ids
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT,
    updated_at    TEXT
) STRICT;

CREATE TABLE feed_heads (
    tenant_id TEXT PRIMARY KEY,
    last_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
    tenant_id   TEXT NOT NULL,
    guid        TEXT NOT NULL,
    entity_guid TEXT NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,          -- JSON object
    timestamp   TEXT NOT NULL,          -- device clock
    user_id     TEXT NOT NULL,
    sync_level  INTEGER NOT NULL,
    seq         INTEGER,                -- NULL while claimed but not yet numbered
    received_at TEXT,
    pushed_by   TEXT,
    PRIMARY KEY (tenant_id, guid),
    UNIQUE (tenant_id, seq)             -- the feed: pull pages walk this index
) STRICT;
CREATE INDEX events_by_timestamp ON events (tenant_id, timestamp, seq);
CREATE INDEX events_by_received ON events (tenant_id, received_at, seq);
CREATE INDEX events_by_entity ON events (tenant_id, entity_guid, timestamp, seq);

CREATE TABLE event_touches (
    tenant_id   TEXT NOT NULL,
    event_guid  TEXT NOT NULL,
    entity_guid TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_guid, entity_guid)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_touches_by_entity ON event_touches (tenant_id, entity_guid);

CREATE TABLE entities (
    tenant_id       TEXT NOT NULL,
    guid            TEXT NOT NULL,
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    data            TEXT NOT NULL,      -- JSON object
    entity_name     TEXT,               -- data.entityName when it is a string
    version         INTEGER NOT NULL,
    last_updated    TEXT NOT NULL,
    member_ids      TEXT NOT NULL,      -- JSON array, in order
    deleted         INTEGER NOT NULL DEFAULT 0,
    last_event_at   TEXT,               -- last_event_key = (last_event_at, last_event_guid)
    last_event_guid TEXT,
    deleted_by_at   TEXT,               -- deleted_by = (deleted_by_at, deleted_by_guid)
    deleted_by_guid TEXT,
    provenance      TEXT NOT NULL,      -- JSON object: field -> who last wrote it
    external_ids    TEXT NOT NULL,      -- JSON object: system -> external id
    PRIMARY KEY (tenant_id, guid)
) STRICT;
CREATE INDEX entities_by_recency ON entities (tenant_id, last_updated, guid);
CREATE INDEX entities_by_form ON entities (tenant_id, entity_name, last_updated);

CREATE TABLE entity_match_keys (
    tenant_id   TEXT NOT NULL,
    entity_guid TEXT NOT NULL,
    key         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, entity_guid, key),
    FOREIGN KEY (tenant_id, entity_guid) REFERENCES entities (tenant_id, guid) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX entity_match_keys_by_key ON entity_match_keys (tenant_id, key);

CREATE TABLE conflicts (
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL,
    entity_guid       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    field             TEXT,
    winner_event_guid TEXT NOT NULL,
    loser_event_guid  TEXT NOT NULL,
    winner_value      TEXT NOT NULL,    -- JSON value
    loser_value       TEXT NOT NULL,    -- JSON value
    rule              TEXT NOT NULL,
    status            TEXT NOT NULL,
    resolution        TEXT,
    detected_at       TEXT,
    resolved_at       TEXT,
    resolved_by       TEXT,
    PRIMARY KEY (tenant_id, id)
) STRICT;
-- Lists are "oldest detection first, undated last": these indexes serve both orders directly.
CREATE INDEX conflicts_by_detection
    ON conflicts (tenant_id, detected_at IS NULL, detected_at, id);
CREATE INDEX conflicts_by_status
    ON conflicts (tenant_id, status, detected_at IS NULL, detected_at, id);
CREATE INDEX conflicts_by_entity ON conflicts (tenant_id, entity_guid);

CREATE TABLE potential_duplicates (
    tenant_id         TEXT NOT NULL,
    pair_key          TEXT NOT NULL,    -- domain.duplicates.pair_key: unordered pair
    entity_guid       TEXT NOT NULL,
    duplicate_guid    TEXT NOT NULL,
    score             REAL NOT NULL,
    reasons           TEXT NOT NULL,    -- JSON array of strings
    status            TEXT NOT NULL,
    detected_at       TEXT,
    resolved_at       TEXT,
    resolved_by_event TEXT,
    PRIMARY KEY (tenant_id, pair_key)
) STRICT;
CREATE INDEX potential_duplicates_by_detection
    ON potential_duplicates (tenant_id, detected_at IS NULL, detected_at, pair_key);
CREATE INDEX potential_duplicates_by_status
    ON potential_duplicates (tenant_id, status, detected_at IS NULL, detected_at, pair_key);
CREATE INDEX potential_duplicates_by_entity ON potential_duplicates (tenant_id, entity_guid);
CREATE INDEX potential_duplicates_by_duplicate
    ON potential_duplicates (tenant_id, duplicate_guid);

CREATE TABLE quarantine (
    tenant_id   TEXT NOT NULL,
    guid        TEXT NOT NULL,
    raw         TEXT NOT NULL,          -- the event exactly as received (JSON value)
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    pushed_by   TEXT,
    attempts    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, guid)
) STRICT;
CREATE INDEX quarantine_by_received ON quarantine (tenant_id, received_at, guid);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,     -- monotonic: readers resume after it
    tenant_id   TEXT NOT NULL,
    guid        TEXT NOT NULL,
    timestamp   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_guid TEXT NOT NULL,
    event_guid  TEXT NOT NULL,
    changes     TEXT NOT NULL,          -- JSON object
    signature   TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('server', 'device'))
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, timestamp, id);
CREATE INDEX audit_log_by_entity ON audit_log (tenant_id, entity_guid, timestamp, id);

-- External sync: the outbox and id map written by the external sync feature.
CREATE TABLE external_outbox (
    tenant_id       TEXT NOT NULL,
    system          TEXT NOT NULL,
    event_guid      TEXT NOT NULL,
    entity_guid     TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'link', 'unlink')),
    idempotency_key TEXT NOT NULL,      -- sha256 of tenant|system|event_guid
    payload_hash    TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in_flight', 'done', 'rejected', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    external_ref    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, system, event_guid)
) STRICT;
CREATE INDEX external_outbox_due ON external_outbox (tenant_id, system, status, next_attempt_at);

CREATE TABLE external_id_map (
    tenant_id            TEXT NOT NULL,
    system               TEXT NOT NULL,
    entity_guid          TEXT NOT NULL,
    external_model       TEXT NOT NULL,
    external_id          TEXT NOT NULL,
    etag                 TEXT,
    last_pushed_hash     TEXT,
    last_seen_write_date TEXT,
    PRIMARY KEY (tenant_id, system, entity_guid),
    UNIQUE (tenant_id, system, external_model, external_id)
) STRICT;
