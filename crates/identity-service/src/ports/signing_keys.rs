//! Storage of the OpenID Connect provider's signing keys (see
//! `usecases/oidc/keys.rs`): what the shipped key store keeps in the database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// What a signing key signs: the rules keep the federation's keys apart from
/// the OpenID Connect ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Tokens of the OpenID Connect provider (ID tokens, userinfo, access
    /// tokens), published at the JWKS endpoint and in the provider's metadata.
    Oidc,
    /// The federation's entity statements, published in the entity configuration.
    Federation,
}

impl KeyPurpose {
    /// Both.
    pub const ALL: [KeyPurpose; 2] = [KeyPurpose::Oidc, KeyPurpose::Federation];

    /// The stored code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            KeyPurpose::Oidc => "oidc",
            KeyPurpose::Federation => "federation",
        }
    }

    /// The purpose of a stored code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<KeyPurpose> {
        KeyPurpose::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// One signing key as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSigningKey {
    /// The key id published in the JWKS and in each token's header.
    pub kid: String,
    /// `RS256` or `ES256`.
    pub alg: String,
    /// What it signs.
    pub purpose: KeyPurpose,
    /// The PKCS#8 private key, sealed with the keyring.
    pub sealed_private: String,
    /// The public key as a JWK.
    pub public_jwk: serde_json::Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stopped signing (a newer key took over).
    pub retired_at: Option<DateTime<Utc>>,
    /// When it stops being published and is deleted.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait SigningKeyTx: Send {
    /// Stores a new key. MUST return `Duplicate("signing_key")` if the kid exists.
    async fn insert_signing_key(&mut self, key: &StoredSigningKey) -> Result<(), StoreError>;

    /// Every stored key, oldest first.
    async fn signing_keys(&mut self) -> Result<Vec<StoredSigningKey>, StoreError>;

    /// Retires a key: it signs no more and is published until `expires_at`.
    async fn retire_signing_key(
        &mut self,
        kid: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Deletes retired keys whose publication ended before `now`; how many.
    async fn delete_expired_signing_keys(&mut self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
