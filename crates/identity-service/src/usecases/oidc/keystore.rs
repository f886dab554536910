//! The shipped store of the provider's signing keys (the port is
//! [`crate::ports::KeyStore`]): keys made with aws-lc-rs, their private part (PKCS#8) sealed with the keyring
//! and kept in the database row of the key. An HSM or KMS implements the same
//! trait, keeping a handle in that column instead.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::keys::{SigningAlg, SigningKeyError, crypto};
use crate::ports::KeyStore;
use crate::sealing::Keyring;

/// The shipped key store: PKCS#8 keys sealed with the keyring (the sealed text
/// is the `private_ref`).
#[derive(Debug, Clone)]
pub struct SealedKeyStore {
    keyring: Keyring,
}

impl Default for SealedKeyStore {
    /// A store sealing with a keyring made for this process only (tests).
    fn default() -> Self {
        SealedKeyStore::new(Keyring::ephemeral())
    }
}

impl SealedKeyStore {
    /// A store sealing with `keyring`.
    #[must_use]
    pub fn new(keyring: Keyring) -> SealedKeyStore {
        SealedKeyStore { keyring }
    }
}

/// The RFC 7638 thumbprint of a public JWK: its key id.
fn thumbprint(required: &Value) -> String {
    // RFC 7638 hashes the required members in lexicographic order, without
    // spaces. serde_json's map keeps insertion order in this build (a
    // dependency turns on `preserve_order`), so the order is made here.
    let members: std::collections::BTreeMap<&String, &Value> = required
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    let canonical = serde_json::to_string(&members).unwrap_or_default();
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// A new key pair: the PKCS#8 private key and the public JWK (with its kid).
fn generate(alg: SigningAlg) -> Result<(Vec<u8>, Value), SigningKeyError> {
    let (private, required) = match alg {
        SigningAlg::Rs256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(crypto)?;
            let public: aws_lc_rs::rsa::PublicKeyComponents<Vec<u8>> = pair.public_key().into();
            let private = pair.as_der().map_err(crypto)?.as_ref().to_vec();
            let required =
                json!({ "e": B64.encode(&public.e), "kty": "RSA", "n": B64.encode(&public.n) });
            (private, required)
        }
        SigningAlg::Es256 => {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(crypto)?;
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
                .map_err(crypto)?;
            // Uncompressed point: 0x04, then x and y, 32 bytes each.
            let point = pair.public_key().as_ref();
            let (x, y) = point[1..].split_at(32);
            let required =
                json!({ "crv": "P-256", "kty": "EC", "x": B64.encode(x), "y": B64.encode(y) });
            (pkcs8.as_ref().to_vec(), required)
        }
    };
    let mut jwk = required.clone();
    jwk["kid"] = json!(thumbprint(&required));
    jwk["use"] = json!("sig");
    jwk["alg"] = json!(alg.name());
    Ok((private, jwk))
}

/// Signs `message` with the PKCS#8 key `private` (the JWS signature bytes).
fn sign(alg: SigningAlg, private: &[u8], message: &[u8]) -> Result<Vec<u8>, SigningKeyError> {
    let rng = SystemRandom::new();
    match alg {
        SigningAlg::Rs256 => {
            let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(private).map_err(crypto)?;
            let mut signature = vec![0; pair.public_modulus_len()];
            pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                .map_err(crypto)?;
            Ok(signature)
        }
        SigningAlg::Es256 => {
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, private)
                .map_err(crypto)?;
            Ok(pair.sign(&rng, message).map_err(crypto)?.as_ref().to_vec())
        }
    }
}

/// The sealing context of a key's private part: a sealed key moved to another
/// row does not open.
fn context(kid: &str) -> Vec<u8> {
    format!("oidc-signing-key:{kid}").into_bytes()
}

impl KeyStore for SealedKeyStore {
    fn create(&self, alg: SigningAlg) -> Result<(Value, String), SigningKeyError> {
        let (private, jwk) = generate(alg)?;
        let kid = jwk["kid"].as_str().unwrap_or_default().to_owned();
        let sealed = self
            .keyring
            .seal(&private, &context(&kid))
            .map_err(crypto)?;
        Ok((jwk, sealed))
    }

    fn sign(
        &self,
        kid: &str,
        private_ref: &str,
        alg: SigningAlg,
        message: &[u8],
    ) -> Result<Vec<u8>, SigningKeyError> {
        let private = self
            .keyring
            .open(private_ref, &context(kid))
            .map_err(crypto)?;
        sign(alg, &private, message)
    }
}
