//! The failure every use case may meet besides its own outcomes: the machinery
//! under it (storage, password hashing, sealing, signing, a background task)
//! failed. It is nobody's doing: adapters log it with its source and show a
//! temporary error (503 when the password hasher is at capacity).
//!
//! Each use case's error enum has its domain outcomes as variants and one
//! `Infra(InfraError)` variant; [`infra_error!`] lets its body use `?` on every
//! infrastructure call. A store's `NotFound` or `Duplicate` is an outcome only
//! where the use case says so ([`Found`]), never by a blanket conversion.

use crate::passwords::HashError;
use crate::ports::StoreError;
use crate::sealing::SealError;
use crate::usecases::oidc::keys::SigningKeyError;

/// The machinery under a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// The database failed, or a row the use case relies on is missing or corrupt.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// Password hashing failed, or is at capacity.
    #[error("password hashing failed")]
    Hash(#[from] HashError),
    /// A sealed secret could not be sealed or opened.
    #[error("sealing failed")]
    Seal(#[from] SealError),
    /// A signing key could not be made or used.
    #[error("signing failed")]
    Signing(#[from] SigningKeyError),
    /// A background task of the use case failed.
    #[error("a background task failed")]
    Task(#[from] tokio::task::JoinError),
    /// A stored document (a ceremony's state, a key) did not read or write as JSON.
    #[error("a stored document did not (de)serialize")]
    Json(#[from] serde_json::Error),
    /// The WebAuthn library failed (not the user's key: that is an outcome).
    #[error("webauthn failed")]
    WebAuthn(#[from] webauthn_rs::prelude::WebauthnError),
    /// The settings cannot serve the request (what is wrong is named).
    #[error("misconfigured: {0}")]
    Config(&'static str),
    /// A stored value no longer holds (what is wrong is named).
    #[error("stored data is invalid: {0}")]
    Corrupt(&'static str),
}

impl InfraError {
    /// Whether the failure is the password hasher at capacity: a flood, answered
    /// "busy, try again in a moment" rather than "failed".
    #[must_use]
    pub fn is_busy(&self) -> bool {
        matches!(self, InfraError::Hash(HashError::Busy))
    }

    /// Whether the failure is the database out of reach for now (see
    /// [`StoreError::Unavailable`]): answered 503 "try again shortly", and
    /// `/readyz` says not ready until it is back.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(self, InfraError::Store(StoreError::Unavailable(_)))
    }
}

/// `error` and its sources, `: `-separated: what a log line or an operator's
/// report shows of a failure.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let next = e.to_string();
        // thiserror's `transparent` and messages that repeat their source.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = e.source();
    }
    text
}

/// A use case's error: its domain outcomes, or an infrastructure failure it can
/// hand over. Adapters pass the failure on with `?` and match the outcomes.
pub trait UseCaseError: Sized {
    /// `Err` with the infrastructure failure, or `Ok` with the domain outcome.
    ///
    /// # Errors
    /// The infrastructure failure, when that is what it is.
    fn outcome(self) -> Result<Self, InfraError>;
}

/// Separates a use case's domain outcomes from an infrastructure failure:
/// `service.create_login(..).await.outcome()?` passes the failure on and leaves
/// `Ok(login)` or `Err(outcome)` to match.
pub trait Outcome<T, E> {
    /// The result with the infrastructure failure taken out.
    ///
    /// # Errors
    /// The infrastructure failure.
    fn outcome(self) -> Result<Result<T, E>, InfraError>;
}

impl<T, E: UseCaseError> Outcome<T, E> for Result<T, E> {
    fn outcome(self) -> Result<Result<T, E>, InfraError> {
        match self {
            Ok(v) => Ok(Ok(v)),
            Err(e) => e.outcome().map(Err),
        }
    }
}

/// Lets a use case error with an `Infra(InfraError)` variant take every kind of
/// infrastructure failure through `?`, and hand it over ([`UseCaseError`]).
macro_rules! infra_error {
    ($($error:ty),* $(,)?) => {
        $(
            impl $crate::error::UseCaseError for $error {
                fn outcome(self) -> Result<Self, $crate::error::InfraError> {
                    match self {
                        Self::Infra(e) => Err(e),
                        other => Ok(other),
                    }
                }
            }
            impl From<$crate::ports::StoreError> for $error {
                fn from(e: $crate::ports::StoreError) -> Self {
                    Self::Infra(e.into())
                }
            }
            impl From<$crate::passwords::HashError> for $error {
                fn from(e: $crate::passwords::HashError) -> Self {
                    Self::Infra(e.into())
                }
            }
            impl From<$crate::sealing::SealError> for $error {
                fn from(e: $crate::sealing::SealError) -> Self {
                    Self::Infra(e.into())
                }
            }
        )*
    };
}
pub(crate) use infra_error;

/// A store answer where a missing or duplicate row is an outcome of the use case.
pub(crate) trait Found<T> {
    /// The value; `missing` when the store has no such row; any other failure is
    /// infrastructure.
    fn or_missing<E: From<InfraError>>(self, missing: E) -> Result<T, E>;
    /// The value; `duplicate` when a uniqueness rule refused it; any other failure
    /// is infrastructure.
    fn or_duplicate<E: From<InfraError>>(self, duplicate: E) -> Result<T, E>;
}

impl<T> Found<T> for Result<T, StoreError> {
    fn or_missing<E: From<InfraError>>(self, missing: E) -> Result<T, E> {
        match self {
            Ok(v) => Ok(v),
            Err(StoreError::NotFound) => Err(missing),
            Err(e) => Err(InfraError::from(e).into()),
        }
    }

    fn or_duplicate<E: From<InfraError>>(self, duplicate: E) -> Result<T, E> {
        match self {
            Ok(v) => Ok(v),
            Err(StoreError::Duplicate(_)) => Err(duplicate),
            Err(e) => Err(InfraError::from(e).into()),
        }
    }
}
