//! Timestamps are stored as UTC microseconds since the Unix epoch (a BIGINT on both
//! backends), because `sqlx::Any` carries no date types and integers compare and
//! sort the same everywhere.

use chrono::{DateTime, NaiveDate, Utc};
use identity_service::StoreError;

use crate::sql::corrupt;

pub(crate) fn to_db(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn opt_to_db(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(to_db)
}

pub(crate) fn from_db(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| corrupt("timestamp", micros))
}

pub(crate) fn opt_from_db(micros: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    micros.map(from_db).transpose()
}

pub(crate) fn date_from_db(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt("date", e))
}
