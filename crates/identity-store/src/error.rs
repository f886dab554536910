//! Translation of database errors into the storage port's errors.

use identity_service::StoreError;

/// Maps a sqlx error: no row -> `NotFound`, unique violation -> `Duplicate(what)`,
/// serialization failure or lock timeout -> `Conflict`, anything else -> `Backend`.
pub(crate) fn translate(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
        // PostgreSQL serialization_failure / deadlock_detected; SQLite busy.
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("40001" | "40P01" | "5")) =>
        {
            StoreError::Conflict
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Shorthand for errors where no uniqueness rule applies.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    translate("row")(e)
}
