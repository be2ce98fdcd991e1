-- Refresh tokens of login sessions, by the SHA-256 of the opaque token (never the token).
-- A family is one login; every rotation adds a member and marks the old one used.
CREATE TABLE refresh_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    family_id  text COLLATE "C" NOT NULL,
    user_id    bigint NOT NULL,
    version    text NOT NULL,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
