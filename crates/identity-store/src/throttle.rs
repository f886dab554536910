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
        // One statement creates the row at zero or, when it exists, locks it (an
        // upsert's update takes the row lock on PostgreSQL, and returns the latest
        // committed count after waiting for it): two first attempts cannot both
        // read zero, and a sign-in saves a round trip.
        let row = sqlx::query(
            "INSERT INTO sign_in_throttle (throttle_key, failures) VALUES ($1, 0) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = sign_in_throttle.failures \
             RETURNING failures, last_failure_at",
        )
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

    #[tracing::instrument(name = "store.throttle_record_failures", skip_all, level = "debug")]
    async fn throttle_record_failures(
        &mut self,
        keys: &[&str],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Each key once: PostgreSQL refuses an upsert that touches a row twice.
        let mut distinct: Vec<&str> = Vec::with_capacity(keys.len());
        for key in keys {
            if !distinct.contains(key) {
                distinct.push(key);
            }
        }
        if distinct.is_empty() {
            return Ok(());
        }
        let sql = crate::bulk::multi_row(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at) VALUES ($1, $2, $3) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = sign_in_throttle.failures + 1, \
             last_failure_at = excluded.last_failure_at",
            distinct.len(),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for key in distinct {
            query = query.bind(key.to_owned()).bind(1_i64).bind(time::to_db(at));
        }
        query.execute_in(self).await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.throttle_settle_success", skip_all, level = "debug")]
    async fn throttle_settle_success(
        &mut self,
        reset: &str,
        forgive: &str,
    ) -> Result<(), StoreError> {
        if reset == forgive {
            return self.throttle_reset(reset).await;
        }
        // Zeroed, not deleted (see `throttle_reset`); the other never below zero.
        sqlx::query(
            "UPDATE sign_in_throttle SET \
             failures = CASE WHEN throttle_key = $1 THEN 0 ELSE failures - 1 END, \
             last_failure_at = CASE WHEN throttle_key = $1 THEN NULL ELSE last_failure_at END \
             WHERE throttle_key = $1 OR (throttle_key = $2 AND failures > 0)",
        )
        .bind(reset.to_owned())
        .bind(forgive.to_owned())
        .execute_in(self)
        .await?;
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
