//! Secrets kept encrypted at rest (the level-2 authenticators' TOTP secrets):
//! XChaCha20-Poly1305 under keys from the configuration, each with an id written
//! beside the ciphertext, so the key can be rotated without losing enrolments:
//! add the new key, make it active, keep the old one until every secret sealed
//! with it was re-sealed (secrets are re-sealed under the active key when used).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// Bytes in a key.
pub const KEY_BYTES: usize = 32;

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The sealed text names a key the configuration does not have.
    #[error("no key with id {0:?}")]
    UnknownKey(String),
    /// The sealed text is damaged, or was sealed for another record.
    #[error("the sealed secret does not open")]
    Damaged,
    /// The keyring is badly configured.
    #[error("invalid keyring: {0}")]
    Config(String),
}

/// The keys that seal secrets, one of them active (used to seal). `Debug`
/// shows only the key ids.
#[derive(Clone)]
pub struct Keyring {
    active: String,
    keys: Vec<(String, [u8; KEY_BYTES])>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field(
                "ids",
                &self.keys.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Keyring {
    /// A keyring from `(id, key)` pairs; `active` must be one of the ids, ids are
    /// non-empty, unique and without `:`.
    pub fn new(active: &str, keys: Vec<(String, [u8; KEY_BYTES])>) -> Result<Keyring, SealError> {
        for (i, (id, _)) in keys.iter().enumerate() {
            if id.is_empty() || id.contains(':') {
                return Err(SealError::Config(format!("bad key id {id:?}")));
            }
            if keys[..i].iter().any(|(other, _)| other == id) {
                return Err(SealError::Config(format!("key id {id:?} appears twice")));
            }
        }
        if !keys.iter().any(|(id, _)| id == active) {
            return Err(SealError::Config(format!(
                "no key with the active id {active:?}"
            )));
        }
        Ok(Keyring {
            active: active.to_owned(),
            keys,
        })
    }

    /// A keyring with one random key that lives as long as the process: for tests
    /// and library users that keep nothing across restarts. The apps always load a
    /// persistent one.
    #[must_use]
    pub fn ephemeral() -> Keyring {
        let mut key = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        Keyring {
            active: "ephemeral".into(),
            keys: vec![("ephemeral".into(), key)],
        }
    }

    /// The id of the key new secrets are sealed with.
    #[must_use]
    pub fn active_id(&self) -> &str {
        &self.active
    }

    fn key(&self, id: &str) -> Result<&[u8; KEY_BYTES], SealError> {
        self.keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, key)| key)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))
    }

    /// Seals `secret` under the active key, bound to `context` (the record it
    /// belongs to: a sealed secret moved to another record does not open).
    /// The result is `<key id>:<nonce>:<ciphertext>` (base64).
    pub fn seal(&self, secret: &[u8], context: &[u8]) -> Result<String, SealError> {
        let cipher = XChaCha20Poly1305::new(self.key(&self.active)?.into());
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: context,
                },
            )
            .map_err(|_| SealError::Damaged)?;
        Ok(format!(
            "{}:{}:{}",
            self.active,
            B64.encode(nonce),
            B64.encode(sealed)
        ))
    }

    /// Opens what [`Keyring::seal`] produced for the same `context`.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(id), Some(nonce), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SealError::Damaged);
        };
        let nonce = B64.decode(nonce).map_err(|_| SealError::Damaged)?;
        let body = B64.decode(body).map_err(|_| SealError::Damaged)?;
        if nonce.len() != 24 {
            return Err(SealError::Damaged);
        }
        let cipher = XChaCha20Poly1305::new(self.key(id)?.into());
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &body,
                    aad: context,
                },
            )
            .map_err(|_| SealError::Damaged)
    }

    /// Whether `sealed` uses a key other than the active one (re-seal it).
    #[must_use]
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split(':').next() != Some(self.active.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(active: &str, ids: &[&str]) -> Keyring {
        Keyring::new(
            active,
            ids.iter()
                .enumerate()
                .map(|(i, id)| {
                    (
                        (*id).to_owned(),
                        [u8::try_from(i).unwrap_or(0) + 1; KEY_BYTES],
                    )
                })
                .collect(),
        )
        .expect("valid keyring")
    }

    #[test]
    fn seals_and_opens_for_the_same_record_only() {
        let k = ring("a", &["a"]);
        let sealed = k.seal(b"secret", b"identity-1").expect("seal");
        assert!(!sealed.contains("secret"));
        assert_eq!(k.open(&sealed, b"identity-1").expect("open"), b"secret");
        assert_eq!(k.open(&sealed, b"identity-2"), Err(SealError::Damaged));
        let mut tampered = sealed.clone();
        tampered.pop();
        assert!(k.open(&tampered, b"identity-1").is_err());
    }

    #[test]
    fn rotation_keeps_old_secrets_readable() {
        let old = ring("a", &["a"]);
        let sealed = old.seal(b"s", b"c").expect("seal");
        let rotated = ring("b", &["a", "b"]);
        assert!(rotated.is_stale(&sealed));
        assert_eq!(rotated.open(&sealed, b"c").expect("open"), b"s");
        let resealed = rotated.seal(b"s", b"c").expect("seal");
        assert!(!rotated.is_stale(&resealed));
        let only_new = ring("b", &["b"]);
        assert_eq!(
            only_new.open(&sealed, b"c"),
            Err(SealError::UnknownKey("a".into()))
        );
    }

    #[test]
    fn bad_configurations_are_refused() {
        assert!(Keyring::new("x", vec![("a".into(), [0; KEY_BYTES])]).is_err());
        assert!(Keyring::new("a", vec![("a:b".into(), [0; KEY_BYTES])]).is_err());
        assert!(
            Keyring::new(
                "a",
                vec![("a".into(), [0; KEY_BYTES]), ("a".into(), [1; KEY_BYTES])]
            )
            .is_err()
        );
        assert!(!format!("{:?}", ring("a", &["a"])).contains("1, 1"));
    }
}
