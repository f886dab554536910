//! The key-store port of the provider's signing keys: where private keys are made
//! and used. The shipped store seals them into the database
//! ([`crate::usecases::oidc::keystore::SealedKeyStore`]); an HSM or KMS adapter
//! implements the same trait.

use serde_json::Value;

use crate::usecases::oidc::keys::{SigningAlg, SigningKeyError};

/// Where the private signing keys are made and used. The service keeps each
/// key's public JWK, dates and `private_ref` in the database; only the key
/// store can sign with it. Implementations may block (a network HSM): the
/// service calls them off the async workers.
pub trait KeyStore: Send + Sync + 'static {
    /// Makes a key pair for `alg`: its public JWK (with `kid`, the RFC 7638
    /// thumbprint, `use` and `alg`) and the reference the store signs by.
    fn create(&self, alg: SigningAlg) -> Result<(Value, String), SigningKeyError>;

    /// Signs `message` with the key `kid` (`private_ref` as [`KeyStore::create`]
    /// returned it): the JWS signature bytes.
    fn sign(
        &self,
        kid: &str,
        private_ref: &str,
        alg: SigningAlg,
        message: &[u8],
    ) -> Result<Vec<u8>, SigningKeyError>;
}
