//! Storage of the code flow's authorization codes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::usecases::oidc::authorization_codes::AuthorizationGrant;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait AuthorizationCodeTx: Send {
    /// Stores a grant under the SHA-256 of its code, usable until `expires_at`.
    async fn insert_authorization_code(
        &mut self,
        code_hash: &str,
        grant: &AuthorizationGrant,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The grant of a code with when it expires and when it was used, locked
    /// until the transaction ends. MUST return `NotFound` if none.
    async fn authorization_code_for_update(
        &mut self,
        code_hash: &str,
    ) -> Result<(AuthorizationGrant, DateTime<Utc>, Option<DateTime<Utc>>), StoreError>;

    /// Marks a code used. MUST return `NotFound` if it is absent or used already.
    async fn use_authorization_code(
        &mut self,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Deletes codes that expired before `before` (at most `limit`; `u32::MAX`
    /// for all); how many.
    async fn purge_authorization_codes(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
