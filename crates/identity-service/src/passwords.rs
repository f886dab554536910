//! Password hashing with argon2id, run on the blocking thread pool and bounded by a
//! semaphore so a burst of sign-ins never stalls the async runtime or exhausts memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore as _;
use tokio::sync::Semaphore;

/// Cost parameters of argon2id. The defaults are OWASP's recommendation
/// (19 MiB, 2 passes, 1 lane); tests use [`HashCost::cheap_for_tests`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct HashCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashCost {
    /// Minimal cost, so test suites that register thousands of users stay fast.
    /// Never use in production: it offers no protection against offline guessing.
    #[must_use]
    pub fn cheap_for_tests() -> HashCost {
        HashCost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// Why hashing failed (bad parameters or a worker panic); never shown to users.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when the login is unknown so
    /// the answer takes as long as for a real login (no enumeration by timing).
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

fn hash_with(argon: &Argon2<'_>, password: &[u8]) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

impl PasswordHasher {
    /// A hasher with the given cost, running at most `concurrency` hashes at once.
    pub fn new(cost: HashCost, concurrency: usize) -> Result<PasswordHasher, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| HashError(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        let dummy_hash = hash_with(&argon, &random)?.into();
        Ok(PasswordHasher {
            argon,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash,
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || f(argon))
            .await
            .map_err(|e| HashError(e.to_string()))
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$...`).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.blocking(move |argon| hash_with(&argon, password.as_bytes()))
            .await?
    }

    /// Whether `password` matches `hash`. A malformed hash never matches.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, HashError> {
        self.blocking(move |argon| verify_with(&argon, &password, &hash))
            .await
    }

    /// Checks `password` against several hashes in one blocking call, for the
    /// password-history rule; stops at the first match.
    pub async fn matches_any(
        &self,
        password: String,
        hashes: Vec<String>,
    ) -> Result<bool, HashError> {
        self.blocking(move |argon| hashes.iter().any(|h| verify_with(&argon, &password, h)))
            .await
    }

    /// Spends the time of one verification and returns `false`; used when the
    /// login is unknown or throttled so every failure looks the same.
    pub async fn verify_dummy(&self, password: String) -> Result<bool, HashError> {
        let hash = self.dummy_hash.to_string();
        self.verify(password, hash).await.map(|_| false)
    }
}

fn verify_with(argon: &Argon2<'_>, password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = PasswordHasher::new(HashCost::cheap_for_tests(), 2).unwrap();
        let hash = h.hash("Correct-Horse-9".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(
            h.verify("Correct-Horse-9".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!h.verify("wrong".into(), hash.clone()).await.unwrap());
        assert!(!h.verify("x".into(), "not a hash".into()).await.unwrap());
        assert!(
            h.matches_any("Correct-Horse-9".into(), vec!["bad".into(), hash])
                .await
                .unwrap()
        );
        assert!(!h.verify_dummy("anything".into()).await.unwrap());
    }
}
