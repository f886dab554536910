//! Loading many rows in one transaction: a migration from another system, or a
//! benchmark's database of a national provider's size. The rows are the domain's
//! own values, bound by the same functions as the single-row writes, so what is
//! loaded reads back exactly like what the application writes; only the statements
//! differ (many rows per `INSERT`, which is what makes a million holders take
//! minutes instead of hours).

use chrono::{DateTime, Utc};
use identity_core::{AccessRecord, DigitalIdentity, Holder, Login, LoginNumber, Order, Session};
use identity_service::StoreError;
use identity_service::model::AuditRecord;
use identity_service::ports::IdentityCredentials;
use sqlx::AssertSqlSafe;

use crate::sql::{AnyQuery, Run, SqlTx};
use crate::{Backend, SqlStore, audit, cases, holders, identities, logins, selfcare, sessions};

/// Bound parameters per statement. PostgreSQL takes up to 65,535 and gains from
/// fewer round trips; on SQLite (up to 32,766) sqlx's cost per statement grows
/// faster than its parameters (5,000 holders took 51 s in statements of 30,000
/// parameters, 5 s in statements of 600, 4 s in statements of 200).
fn max_parameters(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 250,
        Backend::Postgres => 8_000,
    }
}

/// Rows to load together, each list in the order it is written (parents first).
#[derive(Debug, Default)]
pub struct BulkRows {
    /// Holders.
    pub holders: Vec<Holder>,
    /// Logins, of holders in this batch or already stored.
    pub logins: Vec<Login>,
    /// Current passwords: the login, the password hash (PHC string), when it was set.
    pub passwords: Vec<(LoginNumber, String, DateTime<Utc>)>,
    /// Digital identities with their holder's tax code.
    pub identities: Vec<(DigitalIdentity, String)>,
    /// The credentials of those identities.
    pub credentials: Vec<IdentityCredentials>,
    /// Sessions with the hash of their token.
    pub sessions: Vec<(String, Session)>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Access records (each gets a new time-ordered id).
    pub access_records: Vec<AccessRecord>,
    /// Audit records.
    pub audit: Vec<AuditRecord>,
}

impl BulkRows {
    /// Whether there is nothing to write.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
            && self.logins.is_empty()
            && self.passwords.is_empty()
            && self.identities.is_empty()
            && self.credentials.is_empty()
            && self.sessions.is_empty()
            && self.orders.is_empty()
            && self.access_records.is_empty()
            && self.audit.is_empty()
    }
}

/// `single`, a one-row `INSERT ... VALUES ($1, ..., $k) [suffix]`, rewritten for
/// `rows` rows: `VALUES ($1, ..., $k), ($k+1, ..., $2k), ... [suffix]`.
pub(crate) fn multi_row(single: &str, rows: usize) -> String {
    let values = single
        .find("VALUES (")
        .expect("a one-row insert has a VALUES list");
    let open = values + "VALUES ".len();
    let close = open + single[open..].find(')').expect("the VALUES list is closed");
    let columns = single[open..close].matches('$').count();
    let mut sql = String::with_capacity(single.len() + rows * columns * 7);
    sql.push_str(&single[..open]);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            n += 1;
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql.push_str(&single[close + 1..]);
    sql
}

/// Writes `items` with `single` rewritten for many rows at a time, each row's
/// parameters bound by `bind`; every row must be written (a row skipped by an
/// `ON CONFLICT` clause is a duplicate).
async fn insert_all<T>(
    tx: &mut SqlTx,
    single: &'static str,
    items: &[T],
    what: &'static str,
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> Result<(), StoreError> {
    // The one-row statements have parameters only in their VALUES list.
    let columns = single.matches('$').count().max(1);
    for chunk in items.chunks((max_parameters(tx.backend) / columns).max(1)) {
        let sql = multi_row(single, chunk.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for item in chunk {
            query = bind(query, item);
        }
        let done = query.insert_in(tx, what).await?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Duplicate(what));
        }
    }
    Ok(())
}

impl SqlStore {
    /// Writes every row of `rows` in one transaction: all of them or, on any
    /// error (a duplicate, a row whose parent is missing), none.
    pub async fn insert_bulk(&self, rows: &BulkRows) -> Result<(), StoreError> {
        let tx = self
            .pool
            .begin_with(self.backend.begin_statement())
            .await
            .map_err(|e| crate::sql::translate(e, "row"))?;
        let mut tx = SqlTx {
            tx,
            backend: self.backend,
        };
        let t = &mut tx;
        insert_all(
            t,
            holders::INSERT_HOLDER,
            &rows.holders,
            "holder",
            holders::bind_holder,
        )
        .await?;
        insert_all(t, logins::INSERT_LOGIN, &rows.logins, "login", |q, l| {
            logins::bind_login(q, l)
        })
        .await?;
        insert_all(
            t,
            logins::INSERT_PASSWORD,
            &rows.passwords,
            "password",
            |q, (login, hash, at)| logins::bind_password(q, *login, hash, *at),
        )
        .await?;
        insert_all(
            t,
            identities::INSERT_IDENTITY,
            &rows.identities,
            "identity",
            |q, (identity, tax_code)| identities::bind_identity(q, identity, tax_code),
        )
        .await?;
        insert_all(
            t,
            selfcare::INSERT_CREDENTIALS,
            &rows.credentials,
            "credentials",
            selfcare::bind_credentials,
        )
        .await?;
        insert_all(
            t,
            sessions::INSERT_SESSION,
            &rows.sessions,
            "session",
            |q, (hash, s)| sessions::bind_session(q, hash, s),
        )
        .await?;
        insert_all(t, cases::INSERT_ORDER, &rows.orders, "order", |q, o| {
            cases::bind_order(q, o)
        })
        .await?;
        insert_all(
            t,
            selfcare::INSERT_ACCESS,
            &rows.access_records,
            "access",
            selfcare::bind_access,
        )
        .await?;
        insert_all(t, audit::INSERT_AUDIT, &rows.audit, "audit", |q, r| {
            audit::bind_audit(q, r)
        })
        .await?;
        tx.tx
            .commit()
            .await
            .map_err(|e| crate::sql::translate(e, "row"))
    }
}

#[cfg(test)]
mod tests {
    use super::multi_row;

    #[test]
    fn a_one_row_insert_becomes_a_many_row_one_with_its_suffix_kept() {
        assert_eq!(
            multi_row(
                "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                3
            ),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING"
        );
    }
}
