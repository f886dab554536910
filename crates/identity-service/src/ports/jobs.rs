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

/// A class of data the retention job removes once its time is up (besides the
/// two large logs and the provider's tokens, which have methods of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// One-time codes expired or used.
    Codes,
    /// Sessions idle for longer than allowed.
    IdleSessions,
    /// Sessions past their absolute lifetime.
    OldSessions,
    /// Unfinished sign-ins past their window.
    PendingSignIns,
    /// Unfinished security-key ceremonies.
    Ceremonies,
    /// Delivered mail and SMS older than the transaction-log retention.
    SentMail,
    /// Notice records whose deadline is older than the transaction-log retention.
    Notices,
    /// Job run reports older than the transaction-log retention.
    JobRuns,
}

impl Expired {
    /// Every class, in the order the job removes them.
    pub const ALL: [Expired; 8] = [
        Expired::Codes,
        Expired::IdleSessions,
        Expired::OldSessions,
        Expired::PendingSignIns,
        Expired::Ceremonies,
        Expired::SentMail,
        Expired::Notices,
        Expired::JobRuns,
    ];

    /// The name the job's report counts it under.
    #[must_use]
    pub fn report_name(self) -> &'static str {
        match self {
            Expired::Codes => "codes",
            Expired::IdleSessions | Expired::OldSessions => "sessions",
            Expired::PendingSignIns => "pending_sign_ins",
            Expired::Ceremonies => "ceremonies",
            Expired::SentMail => "outbox_messages",
            Expired::Notices => "notice_records",
            Expired::JobRuns => "job_runs",
        }
    }
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

    /// Removes at most `limit` rows (`u32::MAX` for all) of `what` that have
    /// outlived their retention; how many. A large backlog goes in short
    /// transactions, one after the other.
    async fn purge_expired(
        &mut self,
        cutoffs: &RetentionCutoffs,
        what: Expired,
        limit: u32,
    ) -> Result<u64, StoreError>;

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
