-- Access tokens of the OpenID Connect provider (issue 6): opaque, found by their
-- SHA-256, read by the userinfo endpoint; revoked with the code they came from
-- when that code is presented again.
CREATE TABLE oidc_access_tokens (
    token_hash  TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    holder_id   TEXT NOT NULL REFERENCES holders (id),
    identity_id TEXT NOT NULL REFERENCES identities (id),
    subject     TEXT NOT NULL,
    level       BIGINT NOT NULL,
    attributes  TEXT NOT NULL,
    code_hash   TEXT,
    family_id   TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX oidc_access_tokens_code ON oidc_access_tokens (code_hash);
CREATE INDEX oidc_access_tokens_expiry ON oidc_access_tokens (expires_at);

-- Secrets the provider makes at first use (the pairwise subject salt), sealed
-- with the keyring; never replaced, since every pairwise subject depends on it.
CREATE TABLE oidc_secrets (
    name       TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The transaction log of the authorization, token and userinfo endpoints,
-- kept 24 months.
CREATE TABLE oidc_transactions (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    endpoint  TEXT NOT NULL,
    client_id TEXT,
    holder_id TEXT,
    outcome   TEXT NOT NULL,
    detail    TEXT,
    client_ip TEXT
);
CREATE INDEX oidc_transactions_at ON oidc_transactions (at);
CREATE INDEX oidc_transactions_client ON oidc_transactions (client_id, at);
