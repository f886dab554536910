//! The two supported databases and everything that differs between them, in one
//! place: URL handling, connection set-up, how transactions begin, row locks and
//! which embedded migrations apply.

use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::migrate::Migrator;

use identity_service::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default): one node.
    Sqlite,
    /// PostgreSQL server: one or several app nodes.
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme (`sqlite:` or `postgres:`/`postgresql:`).
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let missing = |feature: &str| {
            StoreError::Backend(
                format!("this build has no {feature} support (the `{feature}` feature of identity-store is off)")
                    .into(),
            )
        };
        match scheme.as_str() {
            "sqlite" if cfg!(feature = "sqlite") => Ok(Backend::Sqlite),
            "postgres" | "postgresql" if cfg!(feature = "postgres") => Ok(Backend::Postgres),
            "sqlite" => Err(missing("sqlite")),
            "postgres" | "postgresql" => Err(missing("postgres")),
            _ => Err(StoreError::Backend(
                format!(
                    "unsupported database URL scheme {scheme:?}: use sqlite://FILE or postgres://..."
                )
                .into(),
            )),
        }
    }

    /// The statement that opens a read-write transaction. SQLite takes the write
    /// lock at once: a deferred transaction that reads then writes can fail when
    /// another writer got in between, instead of waiting its turn.
    pub(crate) fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Suffix that locks the selected rows until the transaction ends. SQLite has
    /// no row locks; its immediate transactions already exclude other writers.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Suffix that locks the selected rows and skips rows others have locked, for
    /// work queues shared by several nodes. SQLite serializes writers instead.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The embedded migrations of this backend.
    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies this build's migrations that have not run yet. Versions applied
    /// by a newer build (above this build's newest) are tolerated with a warning,
    /// so an old node still starts while a rolling upgrade is under way (their
    /// schema changes must keep the old code working: docs/deployment.md); an
    /// applied version this build does not know below its newest (another line of
    /// migrations) still stops it, as does a failed or edited migration.
    pub(crate) async fn migrate(self, pool: &sqlx::AnyPool) -> Result<(), StoreError> {
        let known = self.migrator();
        let newest_known = known.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE version > $1")
                .bind(newest_known)
                .fetch_all(pool)
                .await
                // No table yet: a fresh database, nothing newer.
                .unwrap_or_default();
        let failed = |e| crate::sql::failure("migration failed", e);
        if applied.is_empty() {
            return known.run(pool).await.map_err(failed);
        }
        tracing::warn!(
            newer = ?applied,
            newest_known,
            "the database has migrations of a newer build; starting without them"
        );
        let mut tolerant = Migrator::with_migrations(known.iter().cloned().collect());
        tolerant.set_ignore_missing(true);
        tolerant.run(pool).await.map_err(failed)
    }

    /// Statements run on every new connection.
    pub(crate) fn connection_pragmas(self) -> &'static [&'static str] {
        match self {
            // WAL lets readers work while one writer writes; foreign keys are off by
            // default in SQLite; the busy timeout makes writers queue instead of failing.
            Backend::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
                "PRAGMA synchronous = NORMAL",
            ],
            Backend::Postgres => &[],
        }
    }

    /// Connection options for `url`; with `create`, a missing SQLite file (and its
    /// folder) is created, otherwise opening it fails.
    pub(crate) fn connect_options(
        self,
        url: &str,
        create: bool,
    ) -> Result<AnyConnectOptions, StoreError> {
        let url = match self {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:")
                    .split('?')
                    .next()
                    .unwrap_or_default();
                if create
                    && let Some(parent) = std::path::Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        crate::sql::failure(&format!("cannot create {}", parent.display()), e)
                    })?;
                }
                let mode = if create { "rwc" } else { "rw" };
                if url.contains("mode=") {
                    url.to_owned()
                } else if url.contains('?') {
                    format!("{url}&mode={mode}")
                } else {
                    format!("{url}?mode={mode}")
                }
            }
            Backend::Postgres => url.to_owned(),
        };
        AnyConnectOptions::from_str(&url)
            .map_err(|e| crate::sql::failure("invalid database URL", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://x").is_err());
    }
}
