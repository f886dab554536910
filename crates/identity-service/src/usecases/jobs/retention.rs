//! The retention job: removes each class of data once its time is up (the table
//! in docs/operations.md). The audit log is never purged.

use std::time::{Duration, Instant};

use chrono::{DateTime, Months, Utc};

use super::Tally;
use crate::error::InfraError;
use crate::ports::{RetentionCutoffs, StoreError, StoreTx};
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
    /// Purges what has outlived its retention: the small tables in one
    /// transaction, then the two that grow with every sign-in (access records,
    /// the provider's transaction log) in batches sized to take about
    /// [`PURGE_BATCH_TIME`], each in a transaction of its own with a pause twice
    /// as long after it, so a purge of millions of rows never holds
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
        let proofing_before = months_ago(PROOFING_RETENTION_YEARS * 12);
        let accesses_before = months_ago(ACCESS_RETENTION_MONTHS);
        let log_before = months_ago(TRANSACTION_LOG_MONTHS);
        let (counts, accesses, oidc_log) = if dry_run {
            let mut tx = self.store.begin().await?;
            let counts = purge_the_rest(tx.as_mut(), u32::MAX, cutoffs, proofing_before).await?;
            let accesses = tx.purge_accesses(accesses_before, u32::MAX).await?;
            let oidc_log = tx.purge_oidc_transactions(log_before, u32::MAX).await?;
            // Dropped, not committed: a dry run changes nothing.
            drop(tx);
            (counts, accesses, oidc_log)
        } else {
            // A backlog (the first run at a provider's size, or after a long stop:
            // 150,000 sessions at a million holders) goes in short transactions too.
            let counts = self
                .purge_in_batches(|tx, rows| {
                    Box::pin(purge_the_rest(tx, rows, cutoffs, proofing_before))
                })
                .await?;
            let accesses = self
                .purge_in_batches(|tx, rows| {
                    Box::pin(
                        async move { Ok(vec![tx.purge_accesses(accesses_before, rows).await?]) },
                    )
                })
                .await?;
            let oidc_log = self
                .purge_in_batches(|tx, rows| {
                    Box::pin(async move {
                        Ok(vec![tx.purge_oidc_transactions(log_before, rows).await?])
                    })
                })
                .await?;
            (counts, accesses[0], oidc_log[0])
        };
        let count = |i: usize| counts.get(i).copied().unwrap_or_default();
        tally.add("access_records", accesses);
        tally.add("codes", count(0));
        tally.add("sessions", count(1));
        tally.add("pending_sign_ins", count(2));
        tally.add("ceremonies", count(3));
        tally.add("outbox_messages", count(4));
        tally.add("notice_records", count(5));
        tally.add("job_runs", count(6));
        tally.add("proofing_records", count(7));
        tally.add("client_assertion_ids", count(8));
        tally.add("authorization_codes", count(9));
        tally.add("refresh_tokens", count(10));
        tally.add("access_tokens", count(11));
        tally.add("oidc_transactions", oidc_log);
        Ok(())
    }

    /// Runs `batch` (removing at most so many rows of each kind it handles; it
    /// returns how many of each) in a transaction of its own until no kind
    /// reaches the limit; the rows removed in all, by kind. Each batch's size
    /// follows the time the one before took.
    async fn purge_in_batches<F>(&self, batch: F) -> Result<Vec<u64>, InfraError>
    where
        F: for<'t> Fn(
            &'t mut dyn StoreTx,
            u32,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<Vec<u64>, StoreError>> + Send + 't>,
        >,
    {
        let mut totals: Vec<u64> = Vec::new();
        let mut rows = PURGE_FIRST_BATCH;
        loop {
            let started = Instant::now();
            let mut tx = self.store.begin().await?;
            let removed = batch(tx.as_mut(), rows).await?;
            tx.commit().await?;
            let took = started.elapsed();
            totals.resize(removed.len().max(totals.len()), 0);
            for (total, n) in totals.iter_mut().zip(&removed) {
                *total += n;
            }
            // A batch far over its time holds SQLite's one writer that long: worth
            // an operator's look (cold pages, a slow disk).
            if took > PURGE_BATCH_TIME * 50 {
                tracing::warn!(
                    rows,
                    ?removed,
                    took_ms = took.as_millis(),
                    "a purge batch took long"
                );
            } else {
                tracing::debug!(rows, ?removed, took_ms = took.as_millis(), "purge batch");
            }
            if removed.iter().all(|&n| n < u64::from(rows)) {
                return Ok(totals);
            }
            rows = next_batch_rows(rows, took);
            tokio::time::sleep((took * 2).max(PURGE_PAUSE)).await;
        }
    }
}

/// Everything but the two large logs, at most `rows` of each kind per statement;
/// how many of each, in the order the job reports them.
async fn purge_the_rest(
    tx: &mut dyn StoreTx,
    rows: u32,
    cutoffs: RetentionCutoffs,
    proofing_before: DateTime<Utc>,
) -> Result<Vec<u64>, StoreError> {
    let now = cutoffs.now;
    let purged = tx.purge_expired(&cutoffs, rows).await?;
    Ok(vec![
        purged.codes,
        purged.sessions,
        purged.pending_sign_ins,
        purged.ceremonies,
        purged.outbox,
        purged.notices,
        purged.job_runs,
        tx.forget_proofing_revoked_before(proofing_before, rows)
            .await?,
        tx.purge_assertion_jtis(now, rows).await?,
        // Used or not, a code is worthless once expired.
        tx.purge_authorization_codes(now, rows).await?,
        tx.purge_refresh_tokens(now, rows).await?,
        tx.purge_access_tokens(now, rows).await?,
    ])
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
