-- Operator accounts (issue 5): every admin-CLI command authenticates one by its
-- token (stored as its SHA-256, like API tokens) and checks its role.
CREATE TABLE operators (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    disabled_at  INTEGER,
    last_used_at INTEGER
);

-- One row at most: the first operator may be added without a token, once.
CREATE TABLE operator_bootstrap (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);

-- Decisions that need a second operator (two-person rule): what was asked, by
-- whom, and who confirmed or rejected it.
CREATE TABLE approvals (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    state        TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT
);
CREATE INDEX approvals_state ON approvals (state, requested_at);

-- Service providers (relying parties) that sign users in through the OpenID
-- Connect endpoints, registered by admins. Lists are JSON arrays; a client
-- secret (development only) is stored as its SHA-256.
CREATE TABLE service_providers (
    id            TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    auth_method   TEXT NOT NULL,
    jwks          TEXT,
    jwks_uri      TEXT,
    secret_hash   TEXT,
    attributes    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER
);
