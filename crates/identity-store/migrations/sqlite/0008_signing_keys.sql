-- The OpenID Connect provider's signing keys (issue 6): the private key sealed
-- with the configured keys (like the TOTP secrets), the public key as a JWK. A
-- key signs until it is retired; retired keys stay published until expires_at,
-- after every token they signed has expired, and are then deleted.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    sealed_private TEXT NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    retired_at     INTEGER,
    expires_at     INTEGER
);
