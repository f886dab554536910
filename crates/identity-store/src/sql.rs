//! The plumbing every aggregate's queries share, in one place: the transaction
//! type, running a statement on it with the one translation of database errors
//! into the port's errors, and reading a row's columns with the one way of
//! reporting a value that no longer reads (`Corrupt`, naming table and column).

use chrono::{DateTime, Utc};
use identity_core::{CredentialLevel, LoginNumber};
use identity_service::StoreError;
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};

use crate::backend::Backend;
use crate::time;

/// A statement with its parameters bound.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments>;

/// A parameter whose type is chosen at run time (a filter that may or may not
/// be in a statement).
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

impl Param {
    /// Binds it as the statement's next parameter.
    pub(crate) fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        match self {
            Param::Int(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
        }
    }
}

/// A transaction on either backend.
pub(crate) struct SqlTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
}

/// Maps a database error: no row -> `NotFound`, unique violation ->
/// `Duplicate(what)`, serialization failure, deadlock or busy -> `Conflict`,
/// the database out of reach or out of space -> `Unavailable`, anything else ->
/// `Backend`; the error is kept as the source.
pub(crate) fn translate(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
        // PostgreSQL serialization_failure / deadlock_detected; SQLite busy.
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("40001" | "40P01" | "5")) =>
        {
            StoreError::Conflict
        }
        sqlx::Error::Database(db) if is_unavailable_code(db.code().as_deref()) => {
            StoreError::Unavailable(Box::new(e))
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        _ => StoreError::Backend(Box::new(e)),
    }
}

/// The database error codes of a temporary state rather than a wrong request:
/// PostgreSQL's connection exceptions (class `08`), shutting down or starting
/// (`57P01`-`57P03`), out of disk or memory (`53100`, `53200`) or connections
/// (`53300`); SQLite's disk full (`13`) and I/O errors (`10` and its extended
/// codes, which end in `10` in their low byte).
fn is_unavailable_code(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    if code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53100" | "53200" | "53300"
        )
    {
        return true;
    }
    // SQLite's codes are numbers of at most four digits; a SQLSTATE has five.
    code.len() < 5
        && code
            .parse::<u32>()
            .is_ok_and(|sqlite| sqlite == 13 || sqlite & 0xff == 10)
}

/// Runs a statement inside a [`SqlTx`], answering the port's errors.
pub(crate) trait Run {
    /// The one row the statement returns (`NotFound` when there is none).
    async fn fetch_one_in(self, tx: &mut SqlTx) -> Result<AnyRow, StoreError>;
    /// The row the statement returns, if any.
    async fn fetch_optional_in(self, tx: &mut SqlTx) -> Result<Option<AnyRow>, StoreError>;
    /// Every row the statement returns.
    async fn fetch_all_in(self, tx: &mut SqlTx) -> Result<Vec<AnyRow>, StoreError>;
    /// Runs the statement; a unique violation is `Duplicate("row")`.
    async fn execute_in(self, tx: &mut SqlTx) -> Result<AnyQueryResult, StoreError>;
    /// Runs an insert; a unique violation is `Duplicate(what)`.
    async fn insert_in(
        self,
        tx: &mut SqlTx,
        what: &'static str,
    ) -> Result<AnyQueryResult, StoreError>;
}

impl Run for AnyQuery<'_> {
    async fn fetch_one_in(self, tx: &mut SqlTx) -> Result<AnyRow, StoreError> {
        self.fetch_one(&mut *tx.tx)
            .await
            .map_err(|e| translate(e, "row"))
    }

    async fn fetch_optional_in(self, tx: &mut SqlTx) -> Result<Option<AnyRow>, StoreError> {
        self.fetch_optional(&mut *tx.tx)
            .await
            .map_err(|e| translate(e, "row"))
    }

    async fn fetch_all_in(self, tx: &mut SqlTx) -> Result<Vec<AnyRow>, StoreError> {
        self.fetch_all(&mut *tx.tx)
            .await
            .map_err(|e| translate(e, "row"))
    }

    async fn execute_in(self, tx: &mut SqlTx) -> Result<AnyQueryResult, StoreError> {
        self.execute(&mut *tx.tx)
            .await
            .map_err(|e| translate(e, "row"))
    }

    async fn insert_in(
        self,
        tx: &mut SqlTx,
        what: &'static str,
    ) -> Result<AnyQueryResult, StoreError> {
        self.execute(&mut *tx.tx)
            .await
            .map_err(|e| translate(e, what))
    }
}

/// A failure of the database described for people (what was being done, and
/// the cause), keeping the cause as its source.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct Failure {
    message: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// `StoreError::Backend` for `doing` that failed with `source` (named in the
/// message too, for logs and the CLI).
pub(crate) fn failure(
    doing: &str,
    source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> StoreError {
    let source = source.into();
    StoreError::Backend(Box::new(Failure {
        message: format!("{doing}: {source}"),
        source,
    }))
}

/// `Ok` when the statement touched a row, else `absent`: how an update of a missing
/// row, or an insert that met `ON CONFLICT DO NOTHING`, is told apart.
pub(crate) fn touched(done: &AnyQueryResult, absent: StoreError) -> Result<(), StoreError> {
    if done.rows_affected() == 0 {
        Err(absent)
    } else {
        Ok(())
    }
}

/// A stored value that no longer reads or passes the domain's validation.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// A login number as stored.
pub(crate) fn number_to_db(n: LoginNumber) -> i64 {
    i64::try_from(n.get()).unwrap_or(i64::MAX)
}

/// Typed reads of one row of `table`: every failure is `Corrupt`, naming the
/// table and the column. Each aggregate's row mapper reads through it.
#[derive(Clone, Copy)]
pub(crate) struct Columns<'r> {
    row: &'r AnyRow,
    table: &'static str,
}

impl<'r> Columns<'r> {
    /// The columns of `row`, a row of `table`.
    pub(crate) fn of(row: &'r AnyRow, table: &'static str) -> Columns<'r> {
        Columns { row, table }
    }

    /// The `Corrupt` error of `column`.
    pub(crate) fn corrupt(&self, column: &str, e: impl std::fmt::Display) -> StoreError {
        corrupt(&format!("{} {column}", self.table), e)
    }

    /// Any value sqlx decodes.
    pub(crate) fn get<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        self.row
            .try_get::<T, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    /// A text column that must be set.
    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.opt_text(column)?
            .ok_or_else(|| self.corrupt(column, "missing"))
    }

    /// A text column that may be NULL.
    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get::<Option<String>>(column)
    }

    /// An integer column.
    pub(crate) fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.get::<i64>(column)
    }

    /// An integer column that may be NULL.
    pub(crate) fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get::<Option<i64>>(column)
    }

    /// A time column (UTC microseconds).
    pub(crate) fn time(&self, column: &str) -> Result<DateTime<Utc>, StoreError> {
        self.opt_time(column)?
            .ok_or_else(|| self.corrupt(column, "missing"))
    }

    /// A time column that may be NULL.
    pub(crate) fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        time::opt_from_db(self.opt_int(column)?)
    }

    /// A text column parsed (ids, UUIDs, numbers written as text).
    pub(crate) fn parsed<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.text(column)?
            .parse()
            .map_err(|e| self.corrupt(column, e))
    }

    /// A text column, when set, parsed.
    pub(crate) fn opt_parsed<T>(&self, column: &str) -> Result<Option<T>, StoreError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.opt_text(column)?
            .map(|t| t.parse().map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    /// A text column read by `decode` (a code of the domain, a value checked by
    /// its constructor); `None` from it is `Corrupt`. The value is not repeated
    /// in the error: it may be personal data, and errors are logged.
    pub(crate) fn decoded<T>(
        &self,
        column: &str,
        decode: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let text = self.text(column)?;
        decode(&text).ok_or_else(|| self.corrupt(column, "not a valid value"))
    }

    /// A JSON document stored as text.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        column: &str,
    ) -> Result<T, StoreError> {
        serde_json::from_str(&self.text(column)?).map_err(|e| self.corrupt(column, e))
    }

    /// A credential level (1, 2, 3).
    pub(crate) fn level(&self, column: &str) -> Result<CredentialLevel, StoreError> {
        let n = self.int(column)?;
        u8::try_from(n)
            .ok()
            .and_then(CredentialLevel::from_u8)
            .ok_or_else(|| self.corrupt(column, n))
    }

    /// A login number.
    pub(crate) fn login_number(&self, column: &str) -> Result<LoginNumber, StoreError> {
        let n = self.int(column)?;
        u64::try_from(n)
            .ok()
            .and_then(LoginNumber::new)
            .ok_or_else(|| self.corrupt(column, n))
    }

    /// A login number that may be NULL.
    pub(crate) fn opt_login_number(&self, column: &str) -> Result<Option<LoginNumber>, StoreError> {
        self.opt_int(column)?
            .map(|n| {
                u64::try_from(n)
                    .ok()
                    .and_then(LoginNumber::new)
                    .ok_or_else(|| self.corrupt(column, n))
            })
            .transpose()
    }

    /// A count or small non-negative number.
    pub(crate) fn count(&self, column: &str) -> Result<u64, StoreError> {
        let n = self.int(column)?;
        u64::try_from(n).map_err(|e| self.corrupt(column, e))
    }
}
