//! The storage port's transaction: [`StoreTx`] on a [`SqlTx`] (each aggregate
//! implements its part of the port in a file of its own), and the statements the
//! jobs and the provider's tokens share.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::{StoreError, StoreTx};

use sqlx::AssertSqlSafe;

use crate::Backend;
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

    /// Runs `action` (`DELETE FROM table` or `UPDATE table SET ...`) on at most
    /// `limit` rows of `table` that meet `condition`, with `cutoff` as its `$1`
    /// (`u32::MAX`: all of them, in one statement); returns the rows touched. The
    /// rows are picked by their physical id (SQLite's `rowid`, PostgreSQL's `ctid`,
    /// looked up as an array, a TID scan), so it works for any key; a row changed
    /// by someone else meanwhile is left for the next batch.
    pub(crate) async fn in_batch(
        &mut self,
        action: &'static str,
        table: &'static str,
        condition: &'static str,
        cutoff: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let sql = match (limit, self.backend) {
            (u32::MAX, _) => format!("{action} WHERE {condition}"),
            (_, Backend::Sqlite) => format!(
                "{action} WHERE rowid IN (SELECT rowid FROM {table} WHERE {condition} LIMIT $2)"
            ),
            (_, Backend::Postgres) => format!(
                "{action} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {condition} LIMIT $2))"
            ),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(cutoff);
        if limit != u32::MAX {
            query = query.bind(i64::from(limit));
        }
        Ok(query.execute_in(self).await?.rows_affected())
    }

    /// Deletes at most `limit` of the oldest rows of `table` from before `cutoff`;
    /// returns how many went. PostgreSQL gets the batch's ids as an array, looked
    /// up by the primary key: with `IN (subquery)` it planned a hash join over a
    /// scan of the whole table (tools/scale/tests/query_plans.rs).
    pub(crate) async fn delete_oldest(
        &mut self,
        table: OldestOf,
        cutoff: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let sql = match (table, self.backend) {
            (OldestOf::AccessRecords, Backend::Sqlite) => {
                "DELETE FROM access_records WHERE id IN \
                 (SELECT id FROM access_records WHERE at < $1 ORDER BY at LIMIT $2)"
            }
            (OldestOf::AccessRecords, Backend::Postgres) => {
                "DELETE FROM access_records WHERE id = ANY(ARRAY(\
                 SELECT id FROM access_records WHERE at < $1 ORDER BY at LIMIT $2))"
            }
            (OldestOf::OidcTransactions, Backend::Sqlite) => {
                "DELETE FROM oidc_transactions WHERE id IN \
                 (SELECT id FROM oidc_transactions WHERE at < $1 ORDER BY at LIMIT $2)"
            }
            (OldestOf::OidcTransactions, Backend::Postgres) => {
                "DELETE FROM oidc_transactions WHERE id = ANY(ARRAY(\
                 SELECT id FROM oidc_transactions WHERE at < $1 ORDER BY at LIMIT $2))"
            }
        };
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

/// The logs purged a batch at a time, oldest first (`id` keyed, `at` timed).
#[derive(Debug, Clone, Copy)]
pub(crate) enum OldestOf {
    AccessRecords,
    OidcTransactions,
}
