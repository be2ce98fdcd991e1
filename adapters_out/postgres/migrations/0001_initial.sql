-- The whole schema. Every table is keyed by tenant_id first, so that a Citus cluster can
-- distribute all of them by tenant (docs/architecture.md, "Data model"); users span tenants.
-- Identifiers use COLLATE "C": ordering then matches Python's (the in-memory reference
-- adapter), whatever the database's default collation, and comparisons are cheaper.

CREATE TABLE tenants (
    tenant_id   text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL,
    artifact_id text COLLATE "C" NOT NULL,
    config      jsonb NOT NULL,
    secrets     jsonb NOT NULL,
    created_at  timestamptz,
    updated_at  timestamptz
);
CREATE INDEX tenants_by_artifact ON tenants (artifact_id);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL,
    tenants       text[] NOT NULL,
    disabled      boolean NOT NULL,
    created_at    timestamptz,
    updated_at    timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Events are claimed (inserted with seq NULL) early in a push and numbered just before
-- commit; readers only ever see numbered ones.
CREATE TABLE events (
    tenant_id   text COLLATE "C" NOT NULL,
    guid        text COLLATE "C" NOT NULL,
    seq         bigint,
    entity_guid text COLLATE "C" NOT NULL,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    "timestamp" timestamptz NOT NULL,
    user_id     text NOT NULL,
    sync_level  integer NOT NULL,
    received_at timestamptz,
    pushed_by   text,
    PRIMARY KEY (tenant_id, guid)
);
-- The feed: pages are `seq > after ORDER BY seq LIMIT n` on this index. Partial, so claimed
-- events (seq NULL) are not in it, and `seq IS NULL` can never lure the planner into scanning it.
CREATE UNIQUE INDEX events_feed ON events (tenant_id, seq) WHERE seq IS NOT NULL;
-- The legacy `since` mapping: (min seq for a timestamp) and (min seq received since). Without
-- seq on purpose: no index but the PK may serve `seq IS NULL` (see events_feed).
CREATE INDEX events_by_timestamp ON events (tenant_id, "timestamp");
CREATE INDEX events_by_received ON events (tenant_id, received_at);
CREATE INDEX events_by_entity ON events (tenant_id, entity_guid);

CREATE TABLE feed_heads (
    tenant_id text COLLATE "C" PRIMARY KEY,
    last_seq  bigint NOT NULL
);

CREATE TABLE event_touches (
    tenant_id   text COLLATE "C" NOT NULL,
    event_guid  text COLLATE "C" NOT NULL,
    entity_guid text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, event_guid, entity_guid)
);
CREATE INDEX event_touches_by_entity ON event_touches (tenant_id, entity_guid, event_guid);

-- entity_name mirrors data.entityName when it is a string (Entity.entity_name), so filtering
-- and counting by form use a plain indexed column.
CREATE TABLE entities (
    tenant_id       text COLLATE "C" NOT NULL,
    guid            text COLLATE "C" NOT NULL,
    type            text NOT NULL,
    name            text NOT NULL,
    entity_name     text COLLATE "C",
    data            jsonb NOT NULL,
    version         integer NOT NULL,
    last_updated    timestamptz NOT NULL,
    member_ids      text[] NOT NULL,
    deleted         boolean NOT NULL,
    last_event_at   timestamptz,
    last_event_guid text COLLATE "C",
    deleted_by_at   timestamptz,
    deleted_by_guid text COLLATE "C",
    provenance      jsonb NOT NULL,
    external_ids    jsonb NOT NULL,
    PRIMARY KEY (tenant_id, guid)
);
CREATE INDEX entities_newest ON entities (tenant_id, last_updated DESC, guid DESC);
CREATE INDEX entities_live_by_form ON entities (tenant_id, entity_name) WHERE NOT deleted;

CREATE TABLE entity_match_keys (
    tenant_id   text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    entity_guid text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, key, entity_guid)
);
CREATE INDEX entity_match_keys_by_entity ON entity_match_keys (tenant_id, entity_guid);

CREATE TABLE conflicts (
    tenant_id         text COLLATE "C" NOT NULL,
    id                text COLLATE "C" NOT NULL,
    entity_guid       text COLLATE "C" NOT NULL,
    kind              text NOT NULL,
    field             text,
    winner_event_guid text NOT NULL,
    loser_event_guid  text NOT NULL,
    winner_value      jsonb NOT NULL,
    loser_value       jsonb NOT NULL,
    rule              text NOT NULL,
    status            text NOT NULL,
    resolution        text,
    detected_at       timestamptz,
    resolved_at       timestamptz,
    resolved_by       text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX conflicts_by_status ON conflicts (tenant_id, status, detected_at, id);

CREATE TABLE potential_duplicates (
    tenant_id         text COLLATE "C" NOT NULL,
    pair_key          text COLLATE "C" NOT NULL,
    entity_guid       text COLLATE "C" NOT NULL,
    duplicate_guid    text COLLATE "C" NOT NULL,
    score             double precision NOT NULL,
    reasons           text[] NOT NULL,
    status            text NOT NULL,
    detected_at       timestamptz,
    resolved_at       timestamptz,
    resolved_by_event text,
    PRIMARY KEY (tenant_id, pair_key)
);
CREATE INDEX potential_duplicates_by_status
    ON potential_duplicates (tenant_id, status, detected_at, pair_key);
-- drop_pending_for runs on every push that deletes something.
CREATE INDEX potential_duplicates_pending_entity
    ON potential_duplicates (tenant_id, entity_guid) WHERE status = 'pending';
CREATE INDEX potential_duplicates_pending_duplicate
    ON potential_duplicates (tenant_id, duplicate_guid) WHERE status = 'pending';

CREATE TABLE quarantine (
    tenant_id   text COLLATE "C" NOT NULL,
    guid        text COLLATE "C" NOT NULL,
    raw         jsonb NOT NULL,
    code        text NOT NULL,
    message     text NOT NULL,
    received_at timestamptz NOT NULL,
    pushed_by   text,
    attempts    integer NOT NULL,
    PRIMARY KEY (tenant_id, guid)
);
CREATE INDEX quarantine_newest ON quarantine (tenant_id, received_at DESC, guid DESC);

CREATE TABLE audit_log (
    tenant_id   text COLLATE "C" NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    guid        text NOT NULL,
    "timestamp" timestamptz NOT NULL,
    user_id     text NOT NULL,
    action      text NOT NULL,
    entity_guid text COLLATE "C" NOT NULL,
    event_guid  text NOT NULL,
    changes     jsonb NOT NULL,
    signature   text NOT NULL,
    origin      text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, "timestamp", id);
CREATE INDEX audit_log_by_entity ON audit_log (tenant_id, entity_guid, "timestamp", id);

-- External systems: the outbox and id map written by the external sync feature.
CREATE TABLE external_outbox (
    tenant_id       text COLLATE "C" NOT NULL,
    system          text COLLATE "C" NOT NULL,
    event_guid      text COLLATE "C" NOT NULL,
    -- receive order: the worker delivers in this order, never by device time
    id              bigint GENERATED ALWAYS AS IDENTITY,
    entity_guid     text COLLATE "C" NOT NULL,
    op              text NOT NULL CHECK (op IN ('create', 'update', 'delete', 'link', 'unlink')),
    idempotency_key text NOT NULL,
    payload_hash    text,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in_flight', 'done', 'rejected', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    external_ref    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, system, event_guid)
);
CREATE INDEX external_outbox_due ON external_outbox (tenant_id, system, status, next_attempt_at, id);

CREATE TABLE external_id_map (
    tenant_id            text COLLATE "C" NOT NULL,
    system               text COLLATE "C" NOT NULL,
    entity_guid          text COLLATE "C" NOT NULL,
    external_model       text COLLATE "C" NOT NULL,
    external_id          text COLLATE "C" NOT NULL,
    etag                 text,
    last_pushed_hash     text,
    last_seen_write_date timestamptz,
    PRIMARY KEY (tenant_id, system, entity_guid),
    UNIQUE (tenant_id, system, external_model, external_id)
);
