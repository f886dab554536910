-- Initial schema (PostgreSQL). Timestamps are UTC microseconds since the Unix epoch.
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
    created_at       BIGINT NOT NULL
);
CREATE INDEX holders_tax_code ON holders (tax_code);
CREATE INDEX holders_vat_number ON holders (vat_number);
CREATE INDEX holders_email ON holders (email_normalized);

CREATE TABLE logins (
    number         BIGINT PRIMARY KEY,
    holder_id      TEXT NOT NULL REFERENCES holders (id),
    status         TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX logins_holder ON logins (holder_id);

-- Consecutive failed sign-ins per submitted identifier ("login:<number>"), whether
-- or not a login has that number, so probing unknown ids costs the same work.
CREATE TABLE sign_in_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL DEFAULT 0,
    last_failure_at BIGINT
);

CREATE TABLE passwords (
    login_number BIGINT NOT NULL REFERENCES logins (number),
    hash         TEXT NOT NULL,
    set_at       BIGINT NOT NULL,
    retired_at   BIGINT
);
CREATE INDEX passwords_login ON passwords (login_number, set_at);
CREATE UNIQUE INDEX passwords_one_current ON passwords (login_number) WHERE retired_at IS NULL;

-- Signed-in sessions, found by the SHA-256 of their token (the token itself is
-- never stored); `id` is the public handle to list and end them.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    holder_id    TEXT NOT NULL REFERENCES holders (id),
    login_number BIGINT NOT NULL REFERENCES logins (number),
    area         TEXT NOT NULL,
    level        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    client_ip    TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_holder ON sessions (holder_id, created_at);

CREATE TABLE identities (
    id                  TEXT PRIMARY KEY,
    holder_id           TEXT NOT NULL REFERENCES holders (id),
    username            BIGINT NOT NULL REFERENCES logins (number),
    tax_code            TEXT NOT NULL,
    state               TEXT NOT NULL,
    suspension_reason   TEXT,
    suspended_since     BIGINT,
    suspension_deadline BIGINT,
    revocation_cause    TEXT,
    revoked_at          BIGINT,
    requested_at        BIGINT NOT NULL,
    activated_at        BIGINT,
    last_used_at        BIGINT,
    proofing            TEXT,
    police_report_ref   TEXT,
    police_report_at    BIGINT
);
CREATE INDEX identities_holder ON identities (holder_id);
-- One digital identity per tax code that is not revoked.
CREATE UNIQUE INDEX identities_one_live_per_tax_code ON identities (tax_code) WHERE state <> 'revoked';

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    event     TEXT NOT NULL,
    holder_id TEXT,
    details   TEXT NOT NULL
);
CREATE INDEX audit_holder ON audit_log (holder_id, at);
CREATE INDEX audit_at ON audit_log (at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    to_address      TEXT NOT NULL,
    lang            TEXT NOT NULL,
    template        TEXT NOT NULL,
    params          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
