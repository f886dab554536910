//! The failure counters behind sign-in delays and per-address limits, locked and counted atomically.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait ThrottleTx: Send {
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
    /// Counts one more failure for each of `keys` at `at`, in one statement (a
    /// key given twice counts once).
    async fn throttle_record_failures(
        &mut self,
        keys: &[&str],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// After a success: forgets the failures of `reset` and takes back the
    /// attempt counted on `forgive` before the check, in one statement.
    async fn throttle_settle_success(
        &mut self,
        reset: &str,
        forgive: &str,
    ) -> Result<(), StoreError>;
    /// Forgets the failures of `key` (after a success).
    async fn throttle_reset(&mut self, key: &str) -> Result<(), StoreError>;
}
