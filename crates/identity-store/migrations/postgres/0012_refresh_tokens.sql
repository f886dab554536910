-- Refresh tokens (issue 6): only with offline_access and consent; rotated on each
-- use within a family that ends 30 days after the sign-in; a used token presented
-- again revokes its whole family.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    holder_id   TEXT NOT NULL REFERENCES holders (id),
    identity_id TEXT NOT NULL REFERENCES identities (id),
    level       BIGINT NOT NULL,
    attributes  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
