//! What kind of machinery failure a request met, decided in one place for the
//! pages and the API: the password hasher at capacity (503, retry in 2 s), the
//! database out of reach (503, retry in 5 s) or anything else (500). Deciding
//! logs it: the busy hasher as a warning (a flood is counted in the metrics),
//! the rest as errors with their detail, which is never shown.

use axum::http::{HeaderValue, StatusCode};
use identity_service::{InfraError, error_chain};

/// The kind of a failure, also the mark a failed response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The password hasher at capacity.
    Busy,
    /// The database out of reach for now.
    Unavailable,
    /// Anything else.
    Failed,
}

impl Failure {
    /// The kind of `e`, logged.
    pub(crate) fn of(e: &InfraError) -> Failure {
        if e.is_busy() {
            tracing::warn!("password hashing at capacity: answered busy");
            Failure::Busy
        } else if e.is_unavailable() {
            tracing::error!(error = %error_chain(e), "database unavailable: answered 503");
            Failure::Unavailable
        } else {
            tracing::error!(error = %error_chain(e), "request failed");
            Failure::Failed
        }
    }

    /// The answer's status.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Failure::Busy | Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `Retry-After` to send, if any.
    pub(crate) fn retry_after(self) -> Option<HeaderValue> {
        match self {
            Failure::Busy => Some(HeaderValue::from_static("2")),
            Failure::Unavailable => Some(HeaderValue::from_static("5")),
            Failure::Failed => None,
        }
    }
}
