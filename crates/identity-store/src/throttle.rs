//! The failure counters (`sign_in_throttle`): locked, counted and reset inside the
//! transaction that checks them, so parallel attempts cannot exceed a limit.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::ThrottleTx;
use sqlx::AssertSqlSafe;

use crate::sql::{Columns, Run, SqlTx};
use crate::time;

#[async_trait]
impl ThrottleTx for SqlTx {
    #[tracing::instrument(name = "store.throttle_lock", skip_all, level = "debug")]
    async fn throttle_lock(
        &mut self,
        key: &str,
    ) -> Result<(u32, Option<DateTime<Utc>>), StoreError> {
        // Create the row first: on PostgreSQL a missing row cannot be locked, and two
        // first attempts would both read zero.
        sqlx::query("INSERT INTO sign_in_throttle (throttle_key, failures) VALUES ($1, 0) ON CONFLICT DO NOTHING")
            .bind(key.to_owned())
            .execute_in(self).await?;
        let sql = format!(
            "SELECT failures, last_failure_at FROM sign_in_throttle WHERE throttle_key = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(key.to_owned())
            .fetch_one_in(self)
            .await?;
        let c = Columns::of(&row, "throttle");
        Ok((
            u32::try_from(c.int("failures")?).unwrap_or(u32::MAX),
            c.opt_time("last_failure_at")?,
        ))
    }

    #[tracing::instrument(name = "store.throttle_record_failure", skip_all, level = "debug")]
    async fn throttle_record_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = sign_in_throttle.failures + 1, \
             last_failure_at = $2 RETURNING failures",
        )
        .bind(key.to_owned())
        .bind(time::to_db(at))
        .fetch_one_in(self).await?;
        let n = Columns::of(&row, "throttle").int("failures")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    #[tracing::instrument(name = "store.throttle_forgive", skip_all, level = "debug")]
    async fn throttle_forgive(&mut self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0",
        )
        .bind(key.to_owned())
        .execute_in(self).await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.throttle_reset", skip_all, level = "debug")]
    async fn throttle_reset(&mut self, key: &str) -> Result<(), StoreError> {
        // Zeroed, not deleted: a transaction waiting on this row's lock must find
        // it again (PostgreSQL would otherwise give it no row at all).
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = 0, last_failure_at = NULL WHERE throttle_key = $1",
        )
            .bind(key.to_owned())
            .execute_in(self).await?;
        Ok(())
    }
}
