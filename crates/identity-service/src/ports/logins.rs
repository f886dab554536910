//! Storage of logins and their passwords (the current one and the history the policy checks).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::password_policy::PasswordHistoryEntry;
use identity_core::{HolderId, Login, LoginNumber, LoginStatus};

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait LoginTx: Send {
    /// Stores a new login. MUST return `Duplicate("login_number")` if the number was
    /// ever used (numbers are never reused), without aborting the transaction.
    async fn insert_login(&mut self, login: &Login) -> Result<(), StoreError>;
    /// Loads a login. MUST return `NotFound` if the number is unknown.
    async fn login(&mut self, number: LoginNumber) -> Result<Login, StoreError>;
    /// All logins of a holder, oldest first.
    async fn logins_of(&mut self, holder: HolderId) -> Result<Vec<Login>, StoreError>;
    /// Sets a login's status. MUST return `NotFound` if the number is unknown.
    async fn set_login_status(
        &mut self,
        number: LoginNumber,
        status: LoginStatus,
    ) -> Result<(), StoreError>;
    /// Makes `hash` the login's current password (set at `at`) and retires the
    /// previous one into the history.
    async fn set_password(
        &mut self,
        number: LoginNumber,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The current and previous passwords, newest first (current has `retired_at = None`).
    /// An unknown login has an empty history.
    async fn password_history(
        &mut self,
        number: LoginNumber,
    ) -> Result<Vec<PasswordHistoryEntry>, StoreError>;
    /// A login with its current password (`None` when it has none), in one read:
    /// what a sign-in needs. MUST return `NotFound` if the number is unknown.
    async fn login_with_password(
        &mut self,
        number: LoginNumber,
    ) -> Result<(Login, Option<PasswordHistoryEntry>), StoreError>;
}
