//! The local federation's relying party as a test drives it against the
//! provider: its keys, request objects, client assertions, and the decryption
//! of what the provider encrypted for it.

use serde_json::{Value, json};

use super::LocalFederation;
use super::keys::KEYS;

impl LocalFederation {
    /// The relying party's redirect URI (`/rp/callback`, which the server
    /// does not answer: tests read the redirect, they do not follow it).
    #[must_use]
    pub fn rp_redirect_uri(&self) -> String {
        format!("{}/callback", self.rp_id())
    }

    /// The relying party's public keys, signing and encryption, as its
    /// metadata publishes them.
    #[must_use]
    pub fn rp_jwks(&self) -> Value {
        json!({ "keys": [KEYS.rp_sig.public, KEYS.rp_enc.public] })
    }

    fn with_defaults(&self, claims: &Value) -> Value {
        let now = self.inner.now();
        let rp = self.rp_id();
        let mut claims = claims.as_object().cloned().unwrap_or_default();
        for (name, value) in [
            ("iss", json!(rp)),
            ("client_id", json!(rp)),
            ("iat", json!(now)),
            ("exp", json!(now + 300)),
            ("jti", json!(uuid::Uuid::new_v4().to_string())),
        ] {
            claims.entry(name).or_insert(value);
        }
        Value::Object(claims)
    }

    /// A request object of the relying party (OpenID Connect Core 6.1):
    /// `claims` signed RS256 with its signing key (its `kid` in the header);
    /// `iss` and `client_id` (the relying party), `iat`, `exp` (five minutes
    /// on) and `jti` are added when missing. `aud` (the provider's issuer) is
    /// the caller's.
    #[must_use]
    pub fn request_object(&self, claims: &Value) -> String {
        KEYS.rp_sig.sign(Some("JWT"), &self.with_defaults(claims))
    }

    /// The same as [`LocalFederation::request_object`], signed by a key the
    /// chain does not vouch for (under the relying party's signing `kid`), so
    /// the provider must refuse the signature itself.
    #[must_use]
    pub fn request_object_with_foreign_key(&self, claims: &Value) -> String {
        KEYS.foreign.sign(Some("JWT"), &self.with_defaults(claims))
    }

    /// A `private_key_jwt` client assertion (RFC 7523) of the relying party for
    /// `token_endpoint`: `iss` = `sub` = its entity id, `aud` the endpoint, a
    /// fresh `jti`, `iat` now and `exp` in five minutes, signed RS256.
    #[must_use]
    pub fn client_assertion(&self, token_endpoint: &str) -> String {
        let rp = self.rp_id();
        let claims = self.with_defaults(&json!({
            "iss": rp,
            "sub": rp,
            "aud": token_endpoint,
        }));
        let mut claims = claims.as_object().cloned().unwrap_or_default();
        claims.remove("client_id");
        KEYS.rp_sig.sign(Some("JWT"), &Value::Object(claims))
    }

    /// What the provider encrypted to the relying party (a compact JWE: the
    /// userinfo answer, an ID token), decrypted with its private encryption
    /// key: the inner signed JWT.
    ///
    /// # Panics
    /// When it does not decrypt.
    #[must_use]
    pub fn decrypt(&self, jwe: &str) -> String {
        let private = Value::Object(KEYS.rp_enc.private.clone().into());
        identity_service::usecases::oidc::jwe::decrypt_jwt(jwe, &private)
            .expect("a JWE for the relying party's encryption key")
    }
}
