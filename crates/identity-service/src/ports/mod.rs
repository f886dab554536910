//! The ports the use cases need: storage (as a unit of work), clock and RNG.
//!
//! Storage is one trait object per transaction ([`StoreTx`]): a use case begins a
//! transaction, reads and writes through it, and commits once, so the change, its
//! audit record and its outgoing mail land together or not at all. Dropping a
//! transaction without [`StoreTx::commit`] rolls it back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::identity::DigitalIdentity;
use identity_core::ids::IdentityId;
use identity_core::password_policy::PasswordHistoryEntry;
use identity_core::{Holder, HolderId, Login, LoginNumber, LoginStatus, Session, SessionArea};
use uuid::Uuid;

use crate::model::{AuditQuery, AuditRecord, OutboxMessage, OutboxStatus};

mod account;
mod api_clients;
mod authorization_codes;
mod cases;
mod jobs;
mod oidc;
mod operators;
mod randomness;
mod refresh_tokens;
mod security_keys;
mod selfcare;
mod service_providers;
mod signing_keys;
mod sms;

pub use account::AccountTx;
pub use api_clients::ApiClientTx;
pub use authorization_codes::AuthorizationCodeTx;
pub use cases::CaseTx;
pub use jobs::{JobTx, PasswordAge, Purged, RetentionCutoffs};
pub use oidc::{AccessTokenRecord, OidcTransaction, OidcTx};
pub use operators::OperatorTx;
pub use randomness::{OsRandomness, Randomness, RngOf, SeededRandomness};
pub use refresh_tokens::RefreshTokenTx;
pub use security_keys::{SecurityKey, SecurityKeyTx};
pub use selfcare::{AccessQuery, IdentityCredentials, PendingSignIn, SelfcareTx};
pub use service_providers::ServiceProviderTx;
pub use signing_keys::{SigningKeyTx, StoredSigningKey};
pub use sms::{SmsError, SmsSender};

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
    /// The database failed (connection, IO, syntax...). Logged with detail, never shown.
    #[error("database error: {0}")]
    Backend(String),
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
/// until [`StoreTx::commit`]. The customer-area records (consents, single-use
/// codes, closure), the operators' cases (correction requests, orders) and the API
/// clients are in the supertraits, one file each.
#[async_trait]
pub trait StoreTx:
    AccountTx
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
    + Send
{
    /// Makes every change of this transaction durable and visible.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;

    // --- holders -----------------------------------------------------------

    /// Stores a new holder. MUST return `Duplicate("holder")` if the id exists.
    async fn insert_holder(&mut self, holder: &Holder) -> Result<(), StoreError>;
    /// Loads a holder. MUST return `NotFound` if there is none with this id, or if
    /// its account was closed.
    async fn holder(&mut self, id: HolderId) -> Result<Holder, StoreError>;
    /// Loads a holder and locks its row until the transaction ends, so two changes
    /// of the same holder (on any node) happen one after the other instead of one
    /// overwriting the other. MUST return `NotFound` like [`StoreTx::holder`].
    async fn holder_for_update(&mut self, id: HolderId) -> Result<Holder, StoreError>;
    /// Saves the secondary attributes (contacts, address, language, when the email
    /// was verified) of an existing holder; identity fields are never updated here.
    /// MUST return `NotFound` if absent.
    async fn update_holder_contacts(&mut self, holder: &Holder) -> Result<(), StoreError>;
    /// Holders whose tax code (or VAT number, for `vat = true`) is `code`, oldest first.
    async fn holders_by_fiscal_code(
        &mut self,
        code: &str,
        vat: bool,
    ) -> Result<Vec<Holder>, StoreError>;

    /// Serializes transactions about the same tax code or VAT number until this
    /// one ends (the tax code is not unique, so "is it on file yet?" needs it):
    /// an advisory lock on PostgreSQL; SQLite already runs one writer at a time.
    async fn lock_fiscal_code(&mut self, code: &str) -> Result<(), StoreError>;

    /// Holders whose reference email is `normalized_email` (lower-cased), oldest first.
    async fn holders_by_email(&mut self, normalized_email: &str)
    -> Result<Vec<Holder>, StoreError>;

    // --- logins and passwords ---------------------------------------------

    /// Stores a new login. MUST return `Duplicate("login_number")` if the number was
    /// ever used (numbers are never reused), without aborting the transaction.
    async fn insert_login(&mut self, login: &Login) -> Result<(), StoreError>;
    /// Loads a login. MUST return `NotFound` if the number is unknown.
    async fn login(&mut self, number: LoginNumber) -> Result<Login, StoreError>;
    /// All logins of a holder, oldest first.
    async fn logins_of(&mut self, holder: HolderId) -> Result<Vec<Login>, StoreError>;
    /// Sets a login's status. MUST return `NotFound` if the number is unknown.
    async fn set_login_status(
        &mut self,
        number: LoginNumber,
        status: LoginStatus,
    ) -> Result<(), StoreError>;
    /// Makes `hash` the login's current password (set at `at`) and retires the
    /// previous one into the history.
    async fn set_password(
        &mut self,
        number: LoginNumber,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The current and previous passwords, newest first (current has `retired_at = None`).
    /// An unknown login has an empty history.
    async fn password_history(
        &mut self,
        number: LoginNumber,
    ) -> Result<Vec<PasswordHistoryEntry>, StoreError>;
    /// Locks the failure counter of `key` (such as `login:123456`) until the
    /// transaction ends, creating it at zero when absent, and returns the count of
    /// consecutive failures and the time of the last one. The same work is done
    /// whatever `key` names, so timing tells nothing about which logins exist.
    async fn throttle_lock(
        &mut self,
        key: &str,
    ) -> Result<(u32, Option<DateTime<Utc>>), StoreError>;
    /// Counts one more failure for `key` at `at` and returns the new count.
    async fn throttle_record_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<u32, StoreError>;
    /// Takes back one counted attempt of `key` (a sign-in counted before its check
    /// that turned out right), never below zero.
    async fn throttle_forgive(&mut self, key: &str) -> Result<(), StoreError>;
    /// Forgets the failures of `key` (after a success).
    async fn throttle_reset(&mut self, key: &str) -> Result<(), StoreError>;

    // --- digital identities ------------------------------------------------

    /// Stores a new identity for the holder's tax code. MUST return
    /// `Duplicate("identity")` if the tax code already has an identity that is not
    /// revoked.
    async fn insert_identity(
        &mut self,
        identity: &DigitalIdentity,
        tax_code: &str,
    ) -> Result<(), StoreError>;
    /// Loads an identity and locks it until the transaction ends. MUST return
    /// `NotFound` if there is none.
    async fn identity_for_update(&mut self, id: IdentityId) -> Result<DigitalIdentity, StoreError>;
    /// The holder's identities, newest first (at most one is not revoked).
    async fn identities_of(&mut self, holder: HolderId)
    -> Result<Vec<DigitalIdentity>, StoreError>;
    /// Saves the state of an existing identity. MUST return `NotFound` if absent.
    async fn update_identity(&mut self, identity: &DigitalIdentity) -> Result<(), StoreError>;

    // --- sessions ---------------------------------------------------------

    /// Stores a new session under the hash of its token. MUST return
    /// `Duplicate("session")` if the hash or the id exists.
    async fn insert_session(
        &mut self,
        token_hash: &str,
        session: &Session,
    ) -> Result<(), StoreError>;
    /// The session whose token hashes to `token_hash`. MUST return `NotFound` if none.
    async fn session_by_token_hash(&mut self, token_hash: &str) -> Result<Session, StoreError>;
    /// Records a request on the session at `at`.
    async fn touch_session(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Ends the session with this token hash; ending one already gone is not an error.
    async fn delete_session_by_token_hash(&mut self, token_hash: &str) -> Result<(), StoreError>;
    /// The holder's sessions, newest first.
    async fn sessions_of(&mut self, holder: HolderId) -> Result<Vec<Session>, StoreError>;
    /// Ends the holder's sessions that match `filter` and returns how many ended.
    async fn delete_sessions(
        &mut self,
        holder: HolderId,
        filter: &SessionFilter,
    ) -> Result<u64, StoreError>;

    // --- audit and outbox --------------------------------------------------

    /// Appends to the audit log (append-only: there is no update or delete).
    async fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError>;
    /// Reads the audit log, oldest first.
    async fn audit(&mut self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
    /// Queues a mail for delivery. MUST return `Duplicate("outbox")` if the id exists.
    async fn enqueue_mail(&mut self, message: &OutboxMessage) -> Result<(), StoreError>;
    /// Claims up to `limit` pending messages due at `now` for one delivery worker,
    /// oldest first: each is leased until `lease_until` (its next attempt moves
    /// there), so other workers, on this node or another, pass it by. MUST skip
    /// messages another transaction holds. A worker that dies mid-send leaves the
    /// message to be retried when the lease ends.
    async fn claim_due_mail(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks a message delivered and blanks its secret parameters (see
    /// [`crate::model::SECRET_PARAMS`]). MUST return `NotFound` if there is none
    /// with this id.
    async fn mark_mail_sent(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Records a failed delivery attempt: one more attempt, the error, and the next
    /// attempt at `retry_at`, or `failed` for good when `retry_at` is `None`.
    /// MUST return `NotFound` if there is none with this id.
    async fn mark_mail_attempt_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Puts a message back in the queue, due at `at`, whatever its state (an
    /// operator's retry after fixing the mail server). MUST return `NotFound` if
    /// there is none with this id.
    async fn retry_mail(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// One message of the outbox. MUST return `NotFound` if there is none with this id.
    async fn outbox_message(&mut self, id: Uuid) -> Result<OutboxMessage, StoreError>;
    /// How many messages of the outbox are in `status`.
    async fn outbox_count(&mut self, status: OutboxStatus) -> Result<u64, StoreError>;
    /// Mail in the outbox, oldest first, optionally only those in `status`.
    async fn outbox(
        &mut self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}

/// Which of a holder's sessions to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only the session with this public id.
    pub id: Option<Uuid>,
    /// Only sessions of this area.
    pub area: Option<SessionArea>,
    /// Only sessions opened with this login.
    pub login: Option<LoginNumber>,
    /// Only sessions signed in at this level or higher (those that used a
    /// credential level being removed).
    pub min_level: Option<identity_core::CredentialLevel>,
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
