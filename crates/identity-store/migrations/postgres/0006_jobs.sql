-- The calendar jobs (issue 5).

-- The proofing document's last valid day (ISO date), copied out of the proofing
-- JSON so the document-expiry job finds expired documents with an index.
ALTER TABLE identities ADD COLUMN document_expires_on TEXT;
UPDATE identities SET document_expires_on = (proofing::json #>> '{document,expires_on}') WHERE proofing IS NOT NULL;
CREATE INDEX identities_document_expiry ON identities (state, document_expires_on);
CREATE INDEX identities_deadline ON identities (state, suspension_deadline);
CREATE INDEX identities_last_used ON identities (state, last_used_at);
CREATE INDEX holders_phone ON holders (phone);
CREATE INDEX passwords_current_set_at ON passwords (set_at) WHERE retired_at IS NULL;

-- Every notice a job sent, keyed by what it is about (an identity or a login),
-- which notice, and the deadline it announces. A second run (or a second node)
-- inserting the same key changes nothing and sends nothing; a new deadline (the
-- holder signed in, or changed the password) is a new key.
CREATE TABLE job_notices (
    subject  TEXT NOT NULL,
    notice   TEXT NOT NULL,
    due_at   BIGINT NOT NULL,
    sent_at  BIGINT NOT NULL,
    PRIMARY KEY (subject, notice, due_at)
);

-- One row per job per run: what it did, for `identity-admin jobs status`.
CREATE TABLE job_runs (
    id          TEXT PRIMARY KEY,
    job         TEXT NOT NULL,
    node        TEXT NOT NULL,
    as_of       BIGINT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    dry_run     BIGINT NOT NULL,
    counts      TEXT NOT NULL,
    error       TEXT
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
