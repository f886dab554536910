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
    /// (`u32::MAX`: all of them, in one statement), the first ones by `order`
    /// when it is given; returns the rows touched. The rows are picked by their
    /// physical id (SQLite's `rowid`, PostgreSQL's `ctid`, looked up as an array,
    /// a TID scan: with `IN (subquery)` PostgreSQL planned a hash join over a scan
    /// of the whole table, tools/scale/tests/query_plans.rs), so it works for any
    /// key; a row changed by someone else meanwhile is left for the next batch.
    pub(crate) async fn in_batch(
        &mut self,
        action: &'static str,
        table: &'static str,
        condition: &'static str,
        order: Option<&'static str>,
        cutoff: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
        let sql = match (limit, self.backend) {
            (u32::MAX, _) => format!("{action} WHERE {condition}"),
            (_, Backend::Sqlite) => format!(
                "{action} WHERE rowid IN (SELECT rowid FROM {table} WHERE {condition}{order} LIMIT $2)"
            ),
            (_, Backend::Postgres) => format!(
                "{action} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {condition}{order} LIMIT $2))"
            ),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(cutoff);
        if limit != u32::MAX {
            query = query.bind(i64::from(limit));
        }
        Ok(query.execute_in(self).await?.rows_affected())
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
