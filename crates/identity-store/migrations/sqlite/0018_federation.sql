-- OpenID Federation (docs/federation.md).
-- A signing key is either the OpenID Connect provider's (tokens) or the
-- federation's (entity statements): the rules keep the two apart.
ALTER TABLE signing_keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'oidc';

-- The trust anchors relying parties are recognised through, with the
-- federation keys that verify their statements (set by the operators).
CREATE TABLE federation_trust_anchors (
    entity_id  TEXT PRIMARY KEY,
    jwks       TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    added_at   INTEGER NOT NULL
);

-- The trust marks this provider holds, published in its entity configuration.
CREATE TABLE federation_trust_marks (
    trust_mark_id TEXT PRIMARY KEY,
    trust_mark    TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      INTEGER NOT NULL
);

-- Relying parties registered automatically through a trust chain: the
-- service_providers row of the same client id holds what every flow reads
-- (name, redirect URIs, keys); this row holds the resolved metadata, the
-- chain it came from and when it must be resolved again.
CREATE TABLE federation_clients (
    client_id     TEXT PRIMARY KEY,
    trust_anchor  TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    trust_chain   TEXT NOT NULL,
    trust_marks   TEXT NOT NULL,
    resolved_at   INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
