-- Level 3 (SQLite): WebAuthn security keys of each identity, and the ceremonies
-- in progress (a key being registered, a sign-in's key assertion).
CREATE TABLE security_keys (
    id           TEXT PRIMARY KEY,
    identity_id  TEXT NOT NULL REFERENCES identities (id),
    name         TEXT NOT NULL,
    passkey      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX security_keys_identity ON security_keys (identity_id);

-- "reg:<session id>" or "auth:<waiting sign-in token hash>" -> the state
-- webauthn-rs needs to finish the ceremony (a challenge; no secret).
CREATE TABLE webauthn_ceremonies (
    owner      TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
