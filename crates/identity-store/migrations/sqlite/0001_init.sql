-- Initial schema (SQLite). Timestamps are UTC microseconds since the Unix epoch.
CREATE TABLE holders (
    id               TEXT PRIMARY KEY,
    subject_kind     TEXT NOT NULL,
    given_name       TEXT,
    family_name      TEXT,
    tax_code         TEXT,
    birth_date       TEXT,
    birth_place_code TEXT,
    sex              TEXT,
    company_name     TEXT,
    vat_number       TEXT,
    invoicing_sdi    TEXT,
    invoicing_pec    TEXT,
    street           TEXT NOT NULL,
    postal_code      TEXT,
    municipality     TEXT NOT NULL,
    province         TEXT NOT NULL,
    country          TEXT NOT NULL,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL,
    phone            TEXT NOT NULL,
    pec              TEXT,
    lang             TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX holders_tax_code ON holders (tax_code);
CREATE INDEX holders_vat_number ON holders (vat_number);
CREATE INDEX holders_email ON holders (email_normalized);

CREATE TABLE logins (
    number         INTEGER PRIMARY KEY,
    holder_id      TEXT NOT NULL REFERENCES holders (id),
    status         TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX logins_holder ON logins (holder_id);

-- Consecutive failed sign-ins per submitted identifier ("login:<number>"), whether
-- or not a login has that number, so probing unknown ids costs the same work.
CREATE TABLE sign_in_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_failure_at INTEGER
);

CREATE TABLE passwords (
    login_number INTEGER NOT NULL REFERENCES logins (number),
    hash         TEXT NOT NULL,
    set_at       INTEGER NOT NULL,
    retired_at   INTEGER
);
CREATE INDEX passwords_login ON passwords (login_number, set_at);
CREATE UNIQUE INDEX passwords_one_current ON passwords (login_number) WHERE retired_at IS NULL;

-- Signed-in sessions, found by the SHA-256 of their token (the token itself is
-- never stored); `id` is the public handle to list and end them.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    holder_id    TEXT NOT NULL REFERENCES holders (id),
    login_number INTEGER NOT NULL REFERENCES logins (number),
    area         TEXT NOT NULL,
    level        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    client_ip    TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_holder ON sessions (holder_id, created_at);

CREATE TABLE identities (
    id                  TEXT PRIMARY KEY,
    holder_id           TEXT NOT NULL REFERENCES holders (id),
    username            INTEGER NOT NULL REFERENCES logins (number),
    tax_code            TEXT NOT NULL,
    state               TEXT NOT NULL,
    suspension_reason   TEXT,
    suspended_since     INTEGER,
    suspension_deadline INTEGER,
    revocation_cause    TEXT,
    revoked_at          INTEGER,
    requested_at        INTEGER NOT NULL,
    activated_at        INTEGER,
    last_used_at        INTEGER,
    proofing            TEXT,
    police_report_ref   TEXT,
    police_report_at    INTEGER
);
CREATE INDEX identities_holder ON identities (holder_id);
-- One digital identity per tax code that is not revoked.
CREATE UNIQUE INDEX identities_one_live_per_tax_code ON identities (tax_code) WHERE state <> 'revoked';

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    event     TEXT NOT NULL,
    holder_id TEXT,
    details   TEXT NOT NULL
);
CREATE INDEX audit_holder ON audit_log (holder_id, at);
CREATE INDEX audit_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    to_address      TEXT NOT NULL,
    lang            TEXT NOT NULL,
    template        TEXT NOT NULL,
    params          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
