//! The retention job: removes each class of data once its time is up (the table
//! in docs/operations.md). The audit log is never purged.

use std::time::{Duration, Instant};

use chrono::{DateTime, Months, Utc};

use super::Tally;
use crate::error::InfraError;
use crate::ports::{Expired, RetentionCutoffs, StoreError, StoreTx};
use crate::service::Service;
use crate::usecases::selfcare::access::ACCESS_RETENTION_MONTHS;
use crate::usecases::selfcare::security_keys::CEREMONY_WINDOW;

/// Transaction logs (delivered mail and SMS, notice records, job run reports)
/// are kept this long.
pub const TRANSACTION_LOG_MONTHS: u32 = 24;
/// How long one batch of a large table's purge should hold the database: a
/// sign-in waiting behind it (SQLite has one writer) waits about this long.
const PURGE_BATCH_TIME: Duration = Duration::from_millis(20);
/// The first batch's rows; later batches grow or shrink towards [`PURGE_BATCH_TIME`].
const PURGE_FIRST_BATCH: u32 = 500;
/// The smallest and largest batches.
const PURGE_BATCH_ROWS: (u32, u32) = (50, 20_000);
/// The least pause between two batches, in which waiting writers go first; a
/// pause is at least twice as long as the batch before it, so a purge takes at
/// most a third of the database's writing time (with half, a sign-in on SQLite,
/// whose writers wait by sleeping up to 100 ms between tries, still met a batch
/// on most tries: 1.6 s at worst beside a purge at 100k holders).
const PURGE_PAUSE: Duration = Duration::from_millis(50);

/// Identity-proofing records (document, evidence reference) are kept this long
/// after the identity's revocation.
pub const PROOFING_RETENTION_YEARS: u32 = 20;

impl Service {
    /// Purges what has outlived its retention, one class of data after the
    /// other (the two that grow with every sign-in, access records and the
    /// provider's transaction log, last), each in batches sized to take about
    /// [`PURGE_BATCH_TIME`], each batch in a transaction of its own with a pause
    /// twice as long after it, so a purge of millions of rows never holds
    /// the database (SQLite's one writer) for long. Safe on
    /// several nodes at once: a batch deletes what is still there. A dry run keeps
    /// one transaction for everything and rolls it back (docs/operations.md).
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
        let cutoffs = Cutoffs {
            retention: cutoffs,
            proofing_before: months_ago(PROOFING_RETENTION_YEARS * 12),
            accesses_before: months_ago(ACCESS_RETENTION_MONTHS),
            log_before: months_ago(TRANSACTION_LOG_MONTHS),
        };
        if dry_run {
            let mut tx = self.store.begin().await?;
            for what in Purge::all() {
                let n = purge(tx.as_mut(), what, u32::MAX, cutoffs).await?;
                tally.add(what.report_name(), n);
            }
            // Dropped, not committed: a dry run changes nothing.
            drop(tx);
        } else {
            // Each class in short transactions of its own, so a backlog (the first
            // run at a provider's size, or after a long stop: 150,000 sessions at a
            // million holders) never holds the database long, and a class that is
            // done is not looked at again.
            for what in Purge::all() {
                let n = self
                    .purge_in_batches(|tx, rows| Box::pin(purge(tx, what, rows, cutoffs)))
                    .await?;
                tally.add(what.report_name(), n);
            }
        }
        Ok(())
    }

    /// Runs `batch` (removing at most so many rows) in a transaction of its own
    /// until it removes less than asked; the rows removed in all. Each batch's
    /// size follows the time the one before took.
    async fn purge_in_batches<F>(&self, batch: F) -> Result<u64, InfraError>
    where
        F: for<'t> Fn(
            &'t mut dyn StoreTx,
            u32,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<u64, StoreError>> + Send + 't>,
        >,
    {
        let mut total = 0;
        let mut rows = PURGE_FIRST_BATCH;
        loop {
            let started = Instant::now();
            let mut tx = self.store.begin().await?;
            let removed = batch(tx.as_mut(), rows).await?;
            tx.commit().await?;
            let took = started.elapsed();
            total += removed;
            // A batch far over its time holds SQLite's one writer that long: worth
            // an operator's look (cold pages, a slow disk, a missing index).
            if took > PURGE_BATCH_TIME * 50 {
                tracing::warn!(
                    rows,
                    removed,
                    took_ms = took.as_millis(),
                    "a purge batch took long"
                );
            } else {
                tracing::debug!(rows, removed, took_ms = took.as_millis(), "purge batch");
            }
            if removed < u64::from(rows) {
                return Ok(total);
            }
            rows = next_batch_rows(rows, took);
            tokio::time::sleep((took * 2).max(PURGE_PAUSE)).await;
        }
    }
}

/// The instants before which each class of data goes.
#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    retention: RetentionCutoffs,
    proofing_before: DateTime<Utc>,
    accesses_before: DateTime<Utc>,
    log_before: DateTime<Utc>,
}

/// Each class of data the job removes, in its order.
#[derive(Debug, Clone, Copy)]
enum Purge {
    Expired(Expired),
    ProofingRecords,
    AssertionIds,
    AuthorizationCodes,
    RefreshTokens,
    AccessTokens,
    AccessRecords,
    OidcTransactions,
}

impl Purge {
    /// Every class, in the order the job removes them: the expired data first,
    /// the two large logs last.
    fn all() -> impl Iterator<Item = Purge> {
        Expired::ALL.into_iter().map(Purge::Expired).chain([
            Purge::ProofingRecords,
            Purge::AssertionIds,
            Purge::AuthorizationCodes,
            Purge::RefreshTokens,
            Purge::AccessTokens,
            Purge::AccessRecords,
            Purge::OidcTransactions,
        ])
    }

    /// The name the job's report counts it under.
    fn report_name(self) -> &'static str {
        match self {
            Purge::Expired(what) => what.report_name(),
            Purge::ProofingRecords => "proofing_records",
            Purge::AssertionIds => "client_assertion_ids",
            Purge::AuthorizationCodes => "authorization_codes",
            Purge::RefreshTokens => "refresh_tokens",
            Purge::AccessTokens => "access_tokens",
            Purge::AccessRecords => "access_records",
            Purge::OidcTransactions => "oidc_transactions",
        }
    }
}

/// Removes at most `rows` of `what` (`u32::MAX`: all); how many.
async fn purge(
    tx: &mut dyn StoreTx,
    what: Purge,
    rows: u32,
    c: Cutoffs,
) -> Result<u64, StoreError> {
    let now = c.retention.now;
    match what {
        Purge::Expired(class) => tx.purge_expired(&c.retention, class, rows).await,
        Purge::ProofingRecords => {
            tx.forget_proofing_revoked_before(c.proofing_before, rows)
                .await
        }
        Purge::AssertionIds => tx.purge_assertion_jtis(now, rows).await,
        // Used or not, a code is worthless once expired.
        Purge::AuthorizationCodes => tx.purge_authorization_codes(now, rows).await,
        Purge::RefreshTokens => tx.purge_refresh_tokens(now, rows).await,
        Purge::AccessTokens => tx.purge_access_tokens(now, rows).await,
        Purge::AccessRecords => tx.purge_accesses(c.accesses_before, rows).await,
        Purge::OidcTransactions => tx.purge_oidc_transactions(c.log_before, rows).await,
    }
}

/// The next batch's rows after one of `rows` took `took`: halved when it took
/// more than twice [`PURGE_BATCH_TIME`], doubled when less than half of it.
fn next_batch_rows(rows: u32, took: Duration) -> u32 {
    let (least, most) = PURGE_BATCH_ROWS;
    if took > PURGE_BATCH_TIME * 2 {
        (rows / 2).max(least)
    } else if took < PURGE_BATCH_TIME / 2 {
        rows.saturating_mul(2).min(most)
    } else {
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_grows_when_quick_and_shrinks_when_slow_within_its_bounds() {
        assert_eq!(next_batch_rows(500, Duration::from_millis(2)), 1_000);
        assert_eq!(next_batch_rows(500, Duration::from_millis(20)), 500);
        assert_eq!(next_batch_rows(500, Duration::from_millis(200)), 250);
        assert_eq!(next_batch_rows(60, Duration::from_secs(1)), 50);
        assert_eq!(next_batch_rows(20_000, Duration::ZERO), 20_000);
    }
}
