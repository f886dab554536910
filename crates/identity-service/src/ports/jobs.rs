//! Storage the calendar jobs need: finding what is due, remembering the notices
//! sent, removing what has outlived its retention, and the record of each run.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use identity_core::ids::IdentityId;
use identity_core::{HolderId, LoginNumber};

use super::StoreError;
use crate::model::JobRun;

/// A login's current password and when it was set, for the expiry warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordAge {
    /// The login.
    pub login: LoginNumber,
    /// Its holder, who is warned.
    pub holder_id: HolderId,
    /// When the current password was set.
    pub set_at: DateTime<Utc>,
}

/// What a retention pass removed, by class of data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// One-time codes expired or used.
    pub codes: u64,
    /// Sessions past their idle or absolute lifetime.
    pub sessions: u64,
    /// Unfinished sign-ins past their window.
    pub pending_sign_ins: u64,
    /// Unfinished security-key ceremonies.
    pub ceremonies: u64,
    /// Delivered mail and SMS older than the transaction-log retention.
    pub outbox: u64,
    /// Notice records whose deadline is older than the transaction-log retention.
    pub notices: u64,
    /// Job run reports older than the transaction-log retention.
    pub job_runs: u64,
}

/// The instants before which each class of data is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// The job's "now": codes, sign-ins past their expiry.
    pub now: DateTime<Utc>,
    /// Sessions last seen before this.
    pub session_idle_before: DateTime<Utc>,
    /// Sessions created before this.
    pub session_created_before: DateTime<Utc>,
    /// Security-key ceremonies started before this.
    pub ceremony_before: DateTime<Utc>,
    /// Transaction logs (sent mail, notices, job run reports) from before this.
    pub transaction_log_before: DateTime<Utc>,
}

/// Part of [`super::StoreTx`]: methods work inside the transaction. The
/// `*_due` queries only select candidates; the job re-reads each one under a row
/// lock and lets identity-core decide, so a candidate another node has already
/// handled is simply not due any more.
#[async_trait]
pub trait JobTx: Send {
    /// Suspended identities whose suspension deadline is at or before `now`.
    async fn identities_past_deadline(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Vec<IdentityId>, StoreError>;

    /// Active or suspended identities last used (or, never used, activated) before `before`.
    async fn identities_unused_since(
        &mut self,
        before: DateTime<Utc>,
    ) -> Result<Vec<IdentityId>, StoreError>;

    /// Active identities whose proofing document's last valid day is before `today`.
    async fn identities_with_document_expired(
        &mut self,
        today: NaiveDate,
    ) -> Result<Vec<IdentityId>, StoreError>;

    /// Active or suspended identities whose holder's email or phone is also the
    /// email or phone of another active or suspended identity's holder.
    async fn identities_sharing_contacts(&mut self) -> Result<Vec<IdentityId>, StoreError>;

    /// Whether this identity's holder shares its email or phone with another
    /// active or suspended identity's holder (read inside the transaction).
    async fn identity_shares_contacts(&mut self, id: IdentityId) -> Result<bool, StoreError>;

    /// Identities suspended now with the suspension reason `reason` (its code).
    async fn identities_suspended_for(
        &mut self,
        reason: &str,
    ) -> Result<Vec<IdentityId>, StoreError>;

    /// Current passwords of active logins set at or after `after` and before
    /// `before`.
    async fn passwords_set_between(
        &mut self,
        after: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<PasswordAge>, StoreError>;

    /// Remembers that `notice` about `subject` for the deadline `due_at` was sent.
    /// Returns `false`, changing nothing, when it was already recorded (by an
    /// earlier run or by another node at the same time).
    async fn record_notice(
        &mut self,
        subject: &str,
        notice: &str,
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Removes what has outlived its retention and says how much: at most
    /// `limit` rows per statement (`u32::MAX` for all), so a large backlog goes in
    /// short transactions, one after the other.
    async fn purge_expired(
        &mut self,
        cutoffs: &RetentionCutoffs,
        limit: u32,
    ) -> Result<Purged, StoreError>;

    /// Forgets the proofing records (document and evidence reference) of
    /// identities revoked before `before` (at most `limit`; `u32::MAX` for all);
    /// returns how many.
    async fn forget_proofing_revoked_before(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// Stores the report of one job's run.
    async fn insert_job_run(&mut self, run: &JobRun) -> Result<(), StoreError>;

    /// The latest run of each job, in job-name order.
    async fn last_job_runs(&mut self) -> Result<Vec<JobRun>, StoreError>;
}
