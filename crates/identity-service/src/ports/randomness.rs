//! The source of randomness of the use cases (codes, secrets, tokens, login
//! numbers), injected like the clock so that tests can run on a seeded,
//! repeatable source. Two draws stay on the operating system's generator
//! whatever is injected, because a repeated value there would be a flaw rather
//! than a convenience: password salts and the nonces that seal secrets.

use std::sync::Mutex;

use rand::{RngCore, SeedableRng};

/// Fills buffers with random bytes.
pub trait Randomness: Send + Sync + 'static {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]);
}

/// The operating system's generator (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, dest: &mut [u8]) {
        rand::rng().fill_bytes(dest);
    }
}

/// A seeded generator: the same seed gives the same codes, secrets and tokens.
/// For tests only.
#[derive(Debug)]
pub struct SeededRandomness(Mutex<rand::rngs::StdRng>);

impl SeededRandomness {
    /// A generator seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> SeededRandomness {
        SeededRandomness(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl Randomness for SeededRandomness {
    fn fill(&self, dest: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill_bytes(dest);
    }
}

/// A [`Randomness`] seen as a `rand` generator, for the core's functions.
pub struct RngOf<'a>(pub &'a dyn Randomness);

impl RngCore for RngOf<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
}
