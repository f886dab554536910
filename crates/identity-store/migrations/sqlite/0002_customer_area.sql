-- The customer area (SQLite): email verification, account closure, consents,
-- single-use codes, correction requests, orders, API clients, re-authentication.
ALTER TABLE holders ADD COLUMN email_verified_at INTEGER;
ALTER TABLE holders ADD COLUMN closed_at INTEGER;
-- A tax code that disagrees with the declared data, confirmed by the holder:
-- pending / confirmed / rejected by an operator (NULL: nothing to review).
ALTER TABLE holders ADD COLUMN data_review TEXT;

ALTER TABLE sessions ADD COLUMN reauthenticated_at INTEGER;

-- Every consent decision; the latest per (holder, kind) is the one in force.
CREATE TABLE consents (
    holder_id      TEXT NOT NULL REFERENCES holders (id),
    kind           TEXT NOT NULL,
    given          INTEGER NOT NULL,
    notice_version TEXT NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX consents_holder ON consents (holder_id, at);

-- Single-use codes sent by email, found by the SHA-256 of their text.
CREATE TABLE one_time_codes (
    code_hash    TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    holder_id    TEXT NOT NULL REFERENCES holders (id),
    login_number INTEGER REFERENCES logins (number),
    target       TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX one_time_codes_holder ON one_time_codes (holder_id, purpose);

CREATE TABLE correction_requests (
    id              TEXT PRIMARY KEY,
    holder_id       TEXT NOT NULL REFERENCES holders (id),
    field           TEXT NOT NULL,
    current_value   TEXT NOT NULL,
    requested_value TEXT NOT NULL,
    reason          TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    state           TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      INTEGER,
    decision_reason TEXT
);
CREATE INDEX correction_requests_holder ON correction_requests (holder_id, opened_at);
CREATE INDEX correction_requests_state ON correction_requests (state, opened_at);

CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    holder_id  TEXT NOT NULL REFERENCES holders (id),
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX orders_holder ON orders (holder_id, created_at);

-- Integrating systems of the JSON API; the bearer token is stored as its SHA-256.
CREATE TABLE api_clients (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
