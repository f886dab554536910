//! The retention job: removes each class of data once its time is up (the table
//! in docs/operations.md). The audit log is never purged.

use chrono::{DateTime, Months, Utc};

use super::{Tally, finish};
use crate::error::InfraError;
use crate::ports::RetentionCutoffs;
use crate::service::Service;
use crate::usecases::selfcare::access::ACCESS_RETENTION_MONTHS;
use crate::usecases::selfcare::security_keys::CEREMONY_WINDOW;

/// Transaction logs (delivered mail and SMS, notice records, job run reports)
/// are kept this long.
pub const TRANSACTION_LOG_MONTHS: u32 = 24;
/// Identity-proofing records (document, evidence reference) are kept this long
/// after the identity's revocation.
pub const PROOFING_RETENTION_YEARS: u32 = 20;

impl Service {
    /// Purges what has outlived its retention, in one transaction.
    pub(super) async fn retention(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let months_ago = |m: u32| now.checked_sub_months(Months::new(m)).unwrap_or(now);
        let sessions = self.config.session_policy;
        let cutoffs = RetentionCutoffs {
            now,
            session_idle_before: now - sessions.idle,
            session_created_before: now - sessions.absolute,
            ceremony_before: now - CEREMONY_WINDOW,
            transaction_log_before: months_ago(TRANSACTION_LOG_MONTHS),
        };
        let mut tx = self.store.begin().await?;
        let purged = tx.purge_expired(&cutoffs).await?;
        let accesses = tx
            .purge_accesses(months_ago(ACCESS_RETENTION_MONTHS))
            .await?;
        let assertions = tx.purge_assertion_jtis(now).await?;
        // Used or not, a code is worthless once expired.
        let codes = tx.purge_authorization_codes(now).await?;
        let refresh = tx.purge_refresh_tokens(now).await?;
        let access_tokens = tx.purge_access_tokens(now).await?;
        let oidc_log = tx
            .purge_oidc_transactions(months_ago(TRANSACTION_LOG_MONTHS))
            .await?;
        let proofing = tx
            .forget_proofing_revoked_before(months_ago(PROOFING_RETENTION_YEARS * 12))
            .await?;
        finish(tx, dry_run).await?;
        tally.add("access_records", accesses);
        tally.add("codes", purged.codes);
        tally.add("sessions", purged.sessions);
        tally.add("pending_sign_ins", purged.pending_sign_ins);
        tally.add("ceremonies", purged.ceremonies);
        tally.add("outbox_messages", purged.outbox);
        tally.add("notice_records", purged.notices);
        tally.add("job_runs", purged.job_runs);
        tally.add("proofing_records", proofing);
        tally.add("client_assertion_ids", assertions);
        tally.add("authorization_codes", codes);
        tally.add("refresh_tokens", refresh);
        tally.add("access_tokens", access_tokens);
        tally.add("oidc_transactions", oidc_log);
        Ok(())
    }
}
