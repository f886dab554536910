-- The selfcare panel (SQLite): credentials of each digital identity, the
-- two-step selfcare sign-in, and the holders' access history.

-- One row per identity: the state of each credential level, the level-2
-- authenticator (its secret sealed with a configured key, "<key id>:<nonce>:<ciphertext>"
-- in base64), an enrolment waiting for its first code, the emergency code's
-- SHA-256, and the access-notification switches (bit n-1 = level n).
CREATE TABLE identity_credentials (
    identity_id         TEXT PRIMARY KEY REFERENCES identities (id),
    level1              TEXT NOT NULL,
    level2              TEXT NOT NULL,
    level3              TEXT NOT NULL,
    totp_secret         TEXT,
    totp_failures       INTEGER NOT NULL DEFAULT 0,
    totp_last_step      INTEGER,
    totp_enrolled_at    INTEGER,
    totp_pending        TEXT,
    totp_pending_at     INTEGER,
    emergency_hash      TEXT,
    emergency_issued_at INTEGER,
    notify_levels       INTEGER NOT NULL DEFAULT 0
);

-- A selfcare sign-in past its password, waiting for the second factor; found
-- by the SHA-256 of the token in the browser's cookie.
CREATE TABLE pending_sign_ins (
    token_hash  TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL REFERENCES identities (id),
    holder_id   TEXT NOT NULL REFERENCES holders (id),
    login_number INTEGER NOT NULL REFERENCES logins (number),
    level       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- Every sign-in to the selfcare (and later to service providers): the holder's
-- "last accesses", kept 24 months.
CREATE TABLE access_records (
    id          TEXT PRIMARY KEY,
    holder_id   TEXT NOT NULL REFERENCES holders (id),
    identity_id TEXT,
    at          INTEGER NOT NULL,
    service     TEXT NOT NULL,
    level       INTEGER NOT NULL,
    credential  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    client_ip   TEXT
);
CREATE INDEX access_records_holder ON access_records (holder_id, at);
CREATE INDEX access_records_at ON access_records (at);
