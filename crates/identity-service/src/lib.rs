//! # identity-service
//!
//! The use cases of the digital-identity system (register, sign in, request and
//! verify an identity, suspend, reactivate, revoke, ...) and the ports they need.
//! This is the one place where "load -> decide (identity-core) -> persist + audit +
//! enqueue mail" happens, in one transaction, so the web app, the admin CLI and
//! library users cannot diverge.
//!
//! Adapters implement the ports: `identity-store` the [`ports::Store`], the apps a
//! [`ports::Clock`]. Password hashing (argon2id) runs on the blocking pool.

#![deny(missing_docs)]

mod error;
pub mod forms;
pub mod metrics;
pub mod model;
pub mod passwords;
pub mod ports;
pub mod pressure;
pub mod request_id;
pub mod sealing;
mod service;
pub mod usecases;

pub use error::{InfraError, Outcome, UseCaseError, error_chain};
pub use passwords::{HashCost, HashError, HashSlot, PasswordHasher};

/// The SHA-256 of `text`, in hex: the stored form of secrets with enough entropy
/// that a fast hash is right (tokens, single-use codes, emergency codes).
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time(a: &[u8], b: &[u8]) -> bool {
    identity_core::credentials::constant_time_eq(a, b)
}
pub use model::{
    ApiClient, ApiScope, Approval, ApprovalState, AuditQuery, AuditRecord, ClientAuth, CodePurpose,
    FederationClient, HeldTrustMark, JobRun, OneTimeCode, Operator, OperatorRole, OutboxMessage,
    OutboxStatus, ServiceProvider, TrustAnchor,
};
pub use ports::{Clock, ManualClock, SmsError, SmsSender, Store, StoreError, StoreTx, SystemClock};
pub use sealing::Keyring;
pub use service::{Service, ServiceConfig};
