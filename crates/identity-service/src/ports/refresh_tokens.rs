//! Storage of refresh tokens (see `usecases/oidc/refresh.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::usecases::oidc::refresh::RefreshToken;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait RefreshTokenTx: Send {
    /// Stores a token under the SHA-256 of its value.
    async fn insert_refresh_token(
        &mut self,
        token_hash: &str,
        token: &RefreshToken,
    ) -> Result<(), StoreError>;

    /// The token with this hash, locked until the transaction ends. MUST return
    /// `NotFound` if none.
    async fn refresh_token_for_update(
        &mut self,
        token_hash: &str,
    ) -> Result<RefreshToken, StoreError>;

    /// Marks a token used (it was exchanged for its successor).
    async fn use_refresh_token(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Revokes every token of a family; how many were still live.
    async fn revoke_refresh_family(
        &mut self,
        family_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Deletes tokens whose family ended before `before` (at most `limit`;
    /// `u32::MAX` for all); how many.
    async fn purge_refresh_tokens(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
