-- Authorization codes of the OpenID Connect code flow (issue 6): found by the
-- SHA-256 of the code, bound to the client, the redirect URI and the PKCE
-- challenge, usable once within a short time.
CREATE TABLE authorization_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    holder_id      TEXT NOT NULL REFERENCES holders (id),
    identity_id    TEXT NOT NULL REFERENCES identities (id),
    redirect_uri   TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    level          BIGINT NOT NULL,
    attributes     TEXT NOT NULL,
    offline_access BIGINT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
