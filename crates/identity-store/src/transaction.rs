//! The storage port's transaction: [`StoreTx`] on a [`SqlTx`] (each aggregate
//! implements its part of the port in a file of its own), and the statements the
//! jobs and the provider's tokens share.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::{StoreError, StoreTx};

use crate::sql::{Run, SqlTx, translate};
use crate::time;

#[async_trait]
impl StoreTx for SqlTx {
    #[tracing::instrument(name = "store.commit", skip_all, level = "debug")]
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(|e| translate(e, "row"))
    }
}

impl SqlTx {
    /// Runs `sql` with `cutoff` as its one parameter (a purge: `... WHERE
    /// column < $1`); returns the rows touched.
    pub(crate) async fn execute_before(
        &mut self,
        sql: &'static str,
        cutoff: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql)
            .bind(cutoff)
            .execute_in(self)
            .await?
            .rows_affected())
    }

    /// Runs `sql` with a cutoff time as `$1` and a row limit as `$2`; returns
    /// the rows touched.
    pub(crate) async fn execute_before_limited(
        &mut self,
        sql: &'static str,
        cutoff: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql)
            .bind(cutoff)
            .bind(i64::from(limit))
            .execute_in(self)
            .await?
            .rows_affected())
    }

    /// Runs `sql` with a row's `key` as `$1` and a time as `$2` (marking rows
    /// used or revoked); returns the rows touched.
    pub(crate) async fn execute_at(
        &mut self,
        sql: &'static str,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql)
            .bind(key.to_owned())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?
            .rows_affected())
    }
}
