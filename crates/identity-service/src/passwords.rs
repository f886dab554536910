//! Password hashing with argon2id, run on the blocking thread pool and bounded by a
//! semaphore so a burst of sign-ins never stalls the async runtime or exhausts
//! memory. The work runs on the hasher's own worker threads (one per configured
//! slot), each keeping its argon2 memory (19 MiB with the default cost) between
//! verifications instead of allocating and zeroing it every time. Beyond the
//! workers, a bounded number of requests may wait; past that a request is refused
//! at once ([`HashError::Busy`], a 503 for the web), rather than queued without
//! bound.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Why hashing failed; never shown to users as such.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Bad parameters or a worker panic.
    #[error("password hashing failed: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Every worker is busy and the waiting line is full: try again in a moment.
    #[error("password hashing is at capacity")]
    Busy,
}

impl HashError {
    fn failed(e: impl std::fmt::Display) -> HashError {
        // argon2's errors are not all `std::error::Error`: keep their words.
        HashError::Failed(e.to_string().into())
    }
}

/// Requests that may wait for a worker, per worker, unless configured otherwise.
pub const DEFAULT_QUEUE_PER_WORKER: usize = 8;

/// Work for a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

/// Starts `n` threads that run jobs until the sender is dropped.
fn start_workers(n: usize) -> Result<std::sync::mpsc::Sender<Job>, HashError> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for i in 0..n {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    let job = {
                        let guard = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        guard.recv_timeout(RELEASE_MEMORY_AFTER)
                    };
                    match job {
                        // A panicking job loses only its own answer, not the worker.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => release_memory(),
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(HashError::failed)?;
    }
    Ok(tx)
}

thread_local! {
    /// The argon2 memory of this worker thread, kept between verifications.
    static MEMORY: RefCell<Vec<argon2::Block>> = const { RefCell::new(Vec::new()) };
}

/// How long a worker keeps its argon2 memory with no job: through a burst of
/// sign-ins it is reused (no 19 MiB allocation and zeroing each), and once the
/// burst is over it goes back to the system, so an idle process stays small.
const RELEASE_MEMORY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// Gives this worker's kept argon2 memory back.
fn release_memory() {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if !memory.is_empty() {
            *memory = Vec::new();
        }
    });
}

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    /// Jobs for the worker threads; they end when the last clone is dropped.
    jobs: std::sync::mpsc::Sender<Job>,
    permits: Arc<Semaphore>,
    workers: usize,
    /// Requests holding a place ([`HashSlot`]: waiting for a worker or at work),
    /// and how many may wait beyond the workers.
    placed: Arc<AtomicUsize>,
    max_waiting: usize,
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
    let salt = SaltString::encode_b64(&salt).map_err(HashError::failed)?;
    argon
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(HashError::failed)
}

impl PasswordHasher {
    /// A hasher with the given cost, running at most `concurrency` hashes at once,
    /// with up to [`DEFAULT_QUEUE_PER_WORKER`] waiting per worker.
    pub fn new(cost: HashCost, concurrency: usize) -> Result<PasswordHasher, HashError> {
        PasswordHasher::with_queue(
            cost,
            concurrency,
            concurrency.max(1) * DEFAULT_QUEUE_PER_WORKER,
        )
    }

    /// A hasher that lets at most `max_waiting` requests wait for one of its
    /// `concurrency` workers; more are refused with [`HashError::Busy`].
    pub fn with_queue(
        cost: HashCost,
        concurrency: usize,
        max_waiting: usize,
    ) -> Result<PasswordHasher, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(HashError::failed)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        let dummy_hash = hash_with(&argon, &random)?.into();
        let workers = concurrency.max(1);
        Ok(PasswordHasher {
            argon,
            jobs: start_workers(workers)?,
            permits: Arc::new(Semaphore::new(workers)),
            workers,
            placed: Arc::new(AtomicUsize::new(0)),
            max_waiting,
            dummy_hash,
        })
    }

    /// A place in the hashing line, or [`HashError::Busy`] at once when every
    /// worker is taken and the line is full. Taken before anything else is done,
    /// so a request that will be shed changes nothing (a sign-in's failure
    /// counters); the worker itself is waited for when the job runs, so the
    /// caller's own work in between (a transaction) never keeps a worker idle.
    pub fn slot(&self) -> Result<HashSlot, HashError> {
        // Counted before anything else, so a burst cannot overshoot the line.
        if self.placed.fetch_add(1, Ordering::AcqRel) >= self.workers + self.max_waiting {
            self.placed.fetch_sub(1, Ordering::AcqRel);
            return Err(HashError::Busy);
        }
        Ok(HashSlot {
            hasher: self.clone(),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        self.slot()?.run(f).await
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$...`).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.blocking(move |argon| hash_with(&argon, password.as_bytes()))
            .await?
    }

    /// Whether `password` matches `hash`. A malformed hash never matches.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, HashError> {
        self.slot()?.verify(password, hash).await
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
        self.slot()?.verify_dummy(password).await
    }
}

/// A place in the hashing line, held until its one job is done
/// ([`PasswordHasher::slot`]).
pub struct HashSlot {
    hasher: PasswordHasher,
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        self.hasher.placed.fetch_sub(1, Ordering::AcqRel);
    }
}

impl std::fmt::Debug for HashSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashSlot").finish_non_exhaustive()
    }
}

impl HashSlot {
    async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _worker = self
            .hasher
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(HashError::failed)?;
        let argon = self.hasher.argon.clone();
        let (done, result) = tokio::sync::oneshot::channel();
        self.hasher
            .jobs
            .send(Box::new(move || {
                let _ = done.send(f(argon));
            }))
            .map_err(|_| HashError::Failed("the hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| HashError::Failed("a hashing job was lost".into()))
    }

    /// Whether `password` matches `hash` ([`PasswordHasher::verify`]), in this place.
    pub async fn verify(self, password: String, hash: String) -> Result<bool, HashError> {
        self.run(move |argon| verify_with(&argon, &password, &hash))
            .await
    }

    /// One verification's time, and `false` (see [`PasswordHasher::verify_dummy`]).
    pub async fn verify_dummy(self, password: String) -> Result<bool, HashError> {
        let hash = self.hasher.dummy_hash.to_string();
        self.verify(password, hash).await.map(|_| false)
    }
}

fn verify_with(argon: &Argon2<'_>, password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    match verify_reusing_memory(&parsed, password.as_bytes()) {
        Some(ok) => ok,
        // Anything but an argon2 hash with a salt and an output: the library's way.
        None => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
    }
}

/// Verifies with this thread's kept argon2 memory; `None` when the hash is not a
/// plain argon2 PHC string (then the caller verifies the usual way).
fn verify_reusing_memory(parsed: &PasswordHash<'_>, password: &[u8]) -> Option<bool> {
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map_or(Some(Version::V0x13), |v| Version::try_from(v).ok())?;
    let params = Params::try_from(parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt_buf = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
    });
    Some(computed.is_ok() && crate::constant_time(&out, expected.as_bytes()))
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

    #[tokio::test]
    async fn verification_with_kept_memory_agrees_with_the_library() {
        let h = PasswordHasher::new(HashCost::cheap_for_tests(), 1).unwrap();
        let hash = h.hash("Correct-Horse-9".into()).await.unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert_eq!(
            verify_reusing_memory(&parsed, b"Correct-Horse-9"),
            Some(true)
        );
        assert_eq!(
            verify_reusing_memory(&parsed, b"correct-horse-9"),
            Some(false)
        );
        // A hash of other parameters, after a bigger one used the memory.
        let big = PasswordHasher::new(
            HashCost {
                memory_kib: 256,
                iterations: 2,
                parallelism: 2,
            },
            1,
        )
        .unwrap();
        let big_hash = big.hash("x".into()).await.unwrap();
        let parsed_big = PasswordHash::new(&big_hash).unwrap();
        assert_eq!(verify_reusing_memory(&parsed_big, b"x"), Some(true));
        assert_eq!(
            verify_reusing_memory(&parsed, b"Correct-Horse-9"),
            Some(true)
        );
    }

    #[tokio::test]
    async fn a_burst_beyond_the_line_is_refused_at_once() {
        let slow = HashCost {
            memory_kib: 8 * 1024,
            iterations: 3,
            parallelism: 1,
        };
        let h = PasswordHasher::with_queue(slow, 1, 2).unwrap();
        let hash = h.hash("pw".into()).await.unwrap();
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let h = h.clone();
                let hash = hash.clone();
                tokio::spawn(async move { h.verify("pw".into(), hash).await })
            })
            .collect();
        let mut busy = 0;
        let mut done = 0;
        for t in tries {
            match t.await.unwrap() {
                Ok(true) => done += 1,
                Err(HashError::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(done + busy, 8);
        assert!(busy >= 1 && done >= 3, "busy {busy}, done {done}");
    }
}
