//! The ports the use cases need: storage (as a unit of work), clock and RNG.
//!
//! Storage is one trait object per transaction ([`StoreTx`]): a use case begins a
//! transaction, reads and writes through it, and commits once, so the change, its
//! audit record and its outgoing mail land together or not at all. Dropping a
//! transaction without [`StoreTx::commit`] rolls it back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod account;
mod api_clients;
mod audit;
mod authorization_codes;
mod cases;
mod entity_fetcher;
mod federation;
mod holders;
mod identities;
mod jobs;
mod key_store;
mod logins;
mod oidc;
mod operators;
mod outbox;
mod randomness;
mod refresh_tokens;
mod security_keys;
mod selfcare;
mod service_providers;
mod sessions;
mod signing_keys;
mod sms;
mod throttle;

pub use account::AccountTx;
pub use api_clients::ApiClientTx;
pub use audit::AuditTx;
pub use authorization_codes::AuthorizationCodeTx;
pub use cases::CaseTx;
pub use entity_fetcher::{EntityFetcher, FetchError};
pub use federation::FederationTx;
pub use holders::HolderTx;
pub use identities::IdentityTx;
pub use jobs::{Expired, JobTx, PasswordAge, RetentionCutoffs};
pub use key_store::KeyStore;
pub use logins::LoginTx;
pub use oidc::{AccessTokenRecord, OidcTransaction, OidcTx};
pub use operators::OperatorTx;
pub use outbox::OutboxTx;
pub use randomness::{OsRandomness, Randomness, RngOf, SeededRandomness};
pub use refresh_tokens::RefreshTokenTx;
pub use security_keys::{SecurityKey, SecurityKeyTx};
pub use selfcare::{AccessQuery, IdentityCredentials, PendingSignIn, SelfcareTx};
pub use service_providers::ServiceProviderTx;
pub use sessions::{SessionFilter, SessionTx};
pub use signing_keys::{KeyPurpose, SigningKeyTx, StoredSigningKey};
pub use sms::{SmsError, SmsSender};
pub use throttle::ThrottleTx;

/// Errors every storage method may return. Each method's docs say which of the
/// domain-meaningful variants (`NotFound`, `Duplicate`) it MUST return and when.
///
/// After an error the transaction may be unusable (PostgreSQL aborts it on a
/// constraint violation) and must be dropped, except where a method documents
/// that it keeps the transaction usable (`insert_login`'s `Duplicate`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row the method looks for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule of the domain would be broken (the variant names it).
    #[error("duplicate: {0}")]
    Duplicate(&'static str),
    /// Another transaction changed the row first; retry the use case.
    #[error("conflicting concurrent change")]
    Conflict,
    /// A stored value no longer passes the domain's validation.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database failed (syntax, a broken invariant...). Logged with detail, never shown.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database cannot serve now but will again: unreachable, connection lost,
    /// no free connection in time, server shutting down or starting, disk full.
    /// Nothing was written; answered "try again shortly" (503), logged with detail.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Opens transactions. Implemented by `identity-store` for SQLite and PostgreSQL.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Begins a read-write transaction. On SQLite it takes the write lock at once
    /// (so two writers never deadlock on lock upgrade); on PostgreSQL rows are
    /// locked by the `*_for_update` reads.
    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError>;

    /// Begins a transaction for reading only: on SQLite it does not take the write
    /// lock, so page views and look-ups never queue behind writers or each other.
    /// Writing through it is a bug (SQLite may refuse it as busy).
    async fn begin_read(&self) -> Result<Box<dyn StoreTx>, StoreError>;

    /// Checks the database answers (for `/readyz` and `healthcheck`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// How many of this build's migrations the database has not applied (for
    /// `/readyz`: a node must not serve a schema older than its code).
    async fn pending_migrations(&self) -> Result<usize, StoreError>;
}

/// One transaction. Every method works inside it; nothing is visible to others
/// until [`StoreTx::commit`]. The methods are grouped by aggregate in the
/// supertraits, one file each (holders, logins, throttle counters, identities,
/// sessions, audit, outbox, the customer area's records, cases, API clients, the
/// selfcare's records, security keys, jobs, operators, service providers, the
/// OpenID Connect provider's keys, codes, tokens and log).
#[async_trait]
pub trait StoreTx:
    HolderTx
    + LoginTx
    + ThrottleTx
    + IdentityTx
    + SessionTx
    + AuditTx
    + OutboxTx
    + AccountTx
    + CaseTx
    + ApiClientTx
    + SelfcareTx
    + SecurityKeyTx
    + JobTx
    + OperatorTx
    + ServiceProviderTx
    + SigningKeyTx
    + AuthorizationCodeTx
    + RefreshTokenTx
    + OidcTx
    + FederationTx
    + Send
{
    /// Makes every change of this transaction durable and visible.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// The source of the current time, injected so tests can move through years.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is put; for tests and `--as-of` runs.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `at`.
    #[must_use]
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(std::sync::Mutex::new(at))
    }

    /// Moves the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
