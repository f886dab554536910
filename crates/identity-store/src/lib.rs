//! # identity-store
//!
//! The storage adapter: implements `identity_service::Store` with sqlx on
//! **SQLite** (the embedded default: one file, WAL mode, foreign keys on) and
//! **PostgreSQL** (for several app nodes). The backend is picked once, from the
//! URL scheme; the schema of each lives in its own embedded migrations folder and
//! is applied at start. Queries are written once, in SQL both databases accept,
//! through `sqlx::Any`; the few differences live in [`Backend`].

#![deny(missing_docs)]

mod account;
mod api_clients;
mod audit;
mod authorization_codes;
mod backend;
mod bulk;
mod cases;
mod federation;
mod holders;
mod identities;
mod jobs;
mod logins;
mod oidc;
mod operators;
mod outbox;
mod refresh_tokens;
mod security_keys;
mod selfcare;
mod service_providers;
mod sessions;
mod signing_keys;
mod sql;
mod throttle;
mod time;
mod transaction;

use std::time::Duration;

use async_trait::async_trait;
use identity_service::{Store, StoreError, StoreTx};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

pub use backend::Backend;
pub use bulk::BulkRows;

/// How to open the pool.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long to wait for a free connection (or for the database to answer a
    /// new one): past it the request is answered "temporarily unavailable".
    pub acquire_timeout: Duration,
    /// Create a missing SQLite file (and its folder). Off for read-only commands,
    /// so a mistyped path is an error instead of a new empty database.
    pub create_if_missing: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            create_if_missing: true,
        }
    }
}

/// The storage port on a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

/// The database URL for messages: a SQLite path as it is (a relative one says
/// which directory it was looked for in), a server's without user and password.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => match url.strip_prefix("sqlite://") {
            // A relative file is looked for from the current directory: say which.
            Some(path) if !path.starts_with('/') => match std::env::current_dir() {
                Ok(dir) => format!("{url} (from {})", dir.display()),
                Err(_) => url.to_owned(),
            },
            _ => url.to_owned(),
        },
    }
}

/// How long a pooled connection may sit unused before it is pinged when handed
/// out (sqlx's default pings every time).
const IDLE_BEFORE_PING: std::time::Duration = std::time::Duration::from_secs(5);

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH` or `postgres://...`) and applies any
    /// pending migrations. A SQLite file and its folder are created if missing.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<SqlStore, StoreError> {
        let store = SqlStore::connect_without_migrating(url, options).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (for `db status`).
    pub async fn connect_without_migrating(
        url: &str,
        options: &ConnectOptions,
    ) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let connect = backend.connect_options(url, options.create_if_missing)?;
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            // sqlx pings every connection before handing it out by default: one
            // round trip per transaction, a tenth of a sign-in's statements. A
            // connection in use moments ago is alive (sqlx also pings it when it
            // comes back, which runs any rollback still queued), so only one that
            // sat idle a while is pinged, to find a server that went away.
            .test_before_acquire(false)
            // A connection still inside a transaction when it is handed out again
            // (its rollback failed: SQLite rolls back by itself on a full disk, and
            // the ROLLBACK sqlx then sends fails, so it still counts one level) would
            // refuse every BEGIN from then on. The ping on its return ran any
            // rollback still queued, so the count is current: close it.
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    use sqlx::Connection as _;
                    if meta.idle_for > IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    if conn.is_in_transaction() {
                        tracing::warn!(
                            "closing a pooled connection left inside a failed transaction"
                        );
                        return Ok(false);
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for pragma in backend.connection_pragmas() {
                        conn.execute(*pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(|e| {
                sql::failure(
                    &format!(
                        "cannot connect to the database {}",
                        without_credentials(url)
                    ),
                    e,
                )
            })?;
        Ok(SqlStore { pool, backend })
    }

    /// Applies the embedded migrations that have not run yet, tolerating those a
    /// newer build applied (with a warning; see `Backend::migrate`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrate(&self.pool).await
    }

    /// Whether any operator account exists; `false` also before the migration
    /// that creates them, so a fresh database can be migrated and its first
    /// operator added without a token.
    pub async fn has_operators(&self) -> Result<bool, StoreError> {
        /// The migration that creates the operator accounts.
        const OPERATORS_MIGRATION: i64 = 7;
        let (applied, _) = self.migration_status().await?;
        if !applied.iter().any(|(v, _)| *v == OPERATORS_MIGRATION) {
            return Ok(false);
        }
        Ok(sqlx::query("SELECT 1 FROM operators LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| sql::translate(e, "row"))?
            .is_some())
    }

    /// The versions and descriptions of applied migrations, and of pending ones.
    pub async fn migration_status(
        &self,
    ) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), StoreError> {
        use sqlx::Row as _;
        let applied: Vec<i64> = match sqlx::query(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await
        {
            Ok(rows) => rows
                .iter()
                .filter_map(|r| r.try_get::<i64, _>(0).ok())
                .collect(),
            Err(_) => Vec::new(),
        };
        let (done, pending) = self
            .backend
            .migrator()
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .partition(|(v, _)| applied.contains(v));
        Ok((done, pending))
    }

    /// Runs one SQL statement outside the domain model, for maintenance and test
    /// set-up (such as `CREATE DATABASE`). Never pass user input.
    pub async fn execute_raw(&self, sql: &str) -> Result<(), StoreError> {
        self.pool
            .execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .map(|_| ())
            .map_err(|e| sql::translate(e, "row"))
    }

    /// The backend in use.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqlStore {
    #[tracing::instrument(name = "store.begin", skip_all, level = "debug")]
    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError> {
        let tx = self
            .pool
            .begin_with(self.backend.begin_statement())
            .await
            .map_err(|e| sql::translate(e, "row"))?;
        Ok(Box::new(sql::SqlTx {
            tx,
            backend: self.backend,
        }))
    }

    #[tracing::instrument(name = "store.begin_read", skip_all, level = "debug")]
    async fn begin_read(&self) -> Result<Box<dyn StoreTx>, StoreError> {
        let tx = self
            .pool
            .begin()
            .await
            .map_err(|e| sql::translate(e, "row"))?;
        Ok(Box::new(sql::SqlTx {
            tx,
            backend: self.backend,
        }))
    }

    #[tracing::instrument(name = "store.pending_migrations", skip_all, level = "debug")]
    async fn pending_migrations(&self) -> Result<usize, StoreError> {
        Ok(self.migration_status().await?.1.len())
    }

    #[tracing::instrument(name = "store.ping", skip_all, level = "debug")]
    async fn ping(&self) -> Result<(), StoreError> {
        self.pool
            .execute("SELECT 1")
            .await
            .map(|_| ())
            .map_err(|e| sql::translate(e, "row"))
    }
}

#[cfg(test)]
mod url_tests {
    use super::without_credentials;

    #[test]
    fn messages_name_the_database_but_not_its_password() {
        assert_eq!(
            without_credentials("postgres://app:s3cret@db.example.it:5432/identity"),
            "postgres://db.example.it:5432/identity"
        );
        assert_eq!(
            without_credentials("sqlite:///srv/identity.db"),
            "sqlite:///srv/identity.db"
        );
        assert!(without_credentials("sqlite://./data/identity.db").contains("(from /"));
    }
}
