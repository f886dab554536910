//! Time-based one-time passwords (RFC 6238) for credential level 2: HMAC-SHA1,
//! 30-second steps, 6 digits, one step of clock skew either way. A code is
//! accepted once only (no replay) and 5 consecutive wrong codes block level 2.
//!
//! The codes and the base32 form of the secret come from the `totp-rs` crate
//! (its `alloc` feature only: no clock, no RNG, no IO); the rules above are
//! ours and stay here, as they must be applied with the stored state.

use std::fmt;

use chrono::{DateTime, Utc};
use rand::Rng;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps of clock skew accepted on each side of the current one.
pub const SKEW_STEPS: u64 = 1;
/// Consecutive wrong codes that block level 2.
pub const MAX_FAILURES: u8 = 5;
/// Bytes in a generated secret (160 bits, as RFC 4226 recommends for SHA-1).
pub const SECRET_BYTES: usize = 20;

/// A TOTP shared secret. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret {
    bytes: Vec<u8>,
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TotpSecret({} bytes, redacted)", self.bytes.len())
    }
}

impl TotpSecret {
    /// A new random secret of [`SECRET_BYTES`] bytes.
    #[must_use]
    pub fn generate(rng: &mut impl Rng) -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rng.fill(&mut bytes[..]);
        TotpSecret { bytes }
    }

    /// A secret from stored bytes; `None` unless 16 to 64 bytes (RFC 4226 requires
    /// at least 128 bits).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Option<TotpSecret> {
        (16..=64).contains(&bytes.len()).then(|| TotpSecret {
            bytes: bytes.to_vec(),
        })
    }

    /// A secret from its RFC 4648 base32 form, as a person copies it: in either
    /// case, grouped with spaces or dashes, with or without `=` padding. `None`
    /// for any other character or a length no encoder produces.
    #[must_use]
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .trim_end_matches('=')
            .to_ascii_uppercase();
        // Valid unpadded lengths leave 0, 2, 4, 5 or 7 symbols in the last group.
        if matches!(compact.len() % 8, 1 | 3 | 6) {
            return None;
        }
        let secret = totp_rs::Secret::try_from_base32(&compact).ok()?;
        let bytes = secret.as_bytes();
        // Only the canonical form: re-encoding gives back what was typed.
        (totp_rs::Secret::from(bytes.to_vec()).to_base32() == compact)
            .then(|| TotpSecret::from_bytes(bytes))
            .flatten()
    }

    /// The raw bytes, for (encrypted) storage.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The unpadded RFC 4648 base32 form, the "manual key" typed into an app.
    #[must_use]
    pub fn to_base32(&self) -> String {
        totp_rs::Secret::from(self.bytes.clone()).to_base32()
    }

    /// The generator of this secret's codes: SHA-1, 6 digits, 30-second steps,
    /// no skew of its own (the window is checked step by step in [`verify`]).
    fn generator(&self) -> totp_rs::Totp {
        totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_skew(0)
            .with_step_duration(STEP_SECONDS.unsigned_abs())
            .with_secret(self.bytes.clone())
            // The secret's length (16 to 64 bytes) is checked where it is made,
            // and the other settings are constants the builder accepts.
            .build_noncompliant()
    }

    /// The `otpauth://totp/...` URI to show as a QR code, e.g.
    /// `otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
    /// `issuer` and `account` are percent-encoded (a `:` in them too).
    #[must_use]
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }
}

/// Everything but the RFC 3986 unreserved characters.
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but the RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}

/// The time step containing `now` (0 before 1970).
#[must_use]
pub fn step_at(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp().div_euclid(STEP_SECONDS)).unwrap_or(0)
}

/// The 6-digit code of `secret` for time step `step` (RFC 4226 HOTP with the step
/// as counter). Format it with `{:06}`.
#[must_use]
pub fn totp_code(secret: &TotpSecret, step: u64) -> u32 {
    let time = step.saturating_mul(STEP_SECONDS.unsigned_abs());
    secret
        .generator()
        .generate(time)
        .to_string()
        .parse()
        .unwrap_or(0)
}

/// Why a one-time code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Not 6 digits (spaces are ignored). Does not count as a failure.
    #[error("the code must be 6 digits")]
    Malformed,
    /// Wrong code; counts as a failure.
    #[error("wrong code, {attempts_left} attempts left before level 2 is blocked")]
    WrongCode {
        /// Wrong codes still allowed before the block.
        attempts_left: u8,
    },
    /// The right code, but already used (replay). Does not count as a failure.
    #[error("this code was already used")]
    Replayed,
    /// Too many consecutive wrong codes: level 2 must be blocked (returned on the
    /// 5th failure and for every attempt while the counter stays at the limit).
    #[error("too many wrong codes: level 2 is blocked")]
    Blocked,
}

/// What must be remembered between verifications: consecutive failures and the
/// last step accepted (to refuse replays). Persist it with the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TotpState {
    consecutive_failures: u8,
    last_used_step: Option<u64>,
}

impl TotpState {
    /// A state read from storage.
    #[must_use]
    pub const fn new(consecutive_failures: u8, last_used_step: Option<u64>) -> TotpState {
        TotpState {
            consecutive_failures,
            last_used_step,
        }
    }

    /// Consecutive wrong codes so far.
    #[must_use]
    pub const fn consecutive_failures(&self) -> u8 {
        self.consecutive_failures
    }

    /// The step of the last accepted code.
    #[must_use]
    pub const fn last_used_step(&self) -> Option<u64> {
        self.last_used_step
    }

    /// Whether the failure limit is reached (level 2 must be blocked).
    #[must_use]
    pub const fn is_blocked(&self) -> bool {
        self.consecutive_failures >= MAX_FAILURES
    }

    /// The state after level 2 is unblocked (email code or emergency code): the
    /// failure counter restarts, the replay guard is kept.
    #[must_use]
    pub const fn reset_failures(self) -> TotpState {
        TotpState {
            consecutive_failures: 0,
            last_used_step: self.last_used_step,
        }
    }
}

/// Verifies `code` at `now` against `secret`, given the stored `state`; returns
/// the state to store and the outcome (the accepted step on success).
///
/// - a code of the current step or one step either side is accepted once: a
///   step at or before `last_used_step` is refused as [`TotpError::Replayed`];
/// - a wrong code counts one failure; the 5th in a row answers
///   [`TotpError::Blocked`]: the caller blocks level 2;
/// - while the state is blocked nothing is checked (always `Blocked`);
/// - success resets the failure counter.
///
/// Codes are compared in constant time.
#[must_use = "the returned state must be stored, or failures and replays go unnoticed"]
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: DateTime<Utc>,
    state: &TotpState,
) -> (TotpState, Result<u64, TotpError>) {
    if state.is_blocked() {
        return (*state, Err(TotpError::Blocked));
    }
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return (*state, Err(TotpError::Malformed));
    }

    let current = step_at(now);
    let generator = secret.generator();
    let mut accepted: Option<u64> = None;
    let mut replayed = false;
    // Check every step of the window, without stopping early; the crate compares
    // codes in constant time.
    for step in current.saturating_sub(SKEW_STEPS)..=current.saturating_add(SKEW_STEPS) {
        let time = step.saturating_mul(STEP_SECONDS.unsigned_abs());
        if generator.check(&typed, time).is_some() {
            if state.last_used_step.is_some_and(|last| step <= last) {
                replayed = true;
            } else if accepted.is_none() {
                accepted = Some(step);
            }
        }
    }

    match accepted {
        Some(step) => (
            TotpState {
                consecutive_failures: 0,
                last_used_step: Some(step),
            },
            Ok(step),
        ),
        None if replayed => (*state, Err(TotpError::Replayed)),
        None => {
            let failures = state.consecutive_failures.saturating_add(1);
            let next = TotpState {
                consecutive_failures: failures,
                last_used_step: state.last_used_step,
            };
            if next.is_blocked() {
                (next, Err(TotpError::Blocked))
            } else {
                (
                    next,
                    Err(TotpError::WrongCode {
                        attempts_left: MAX_FAILURES - failures,
                    }),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests;
