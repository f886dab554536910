//! Storage of the JSON API's clients (integrating systems registered by operators).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;
use crate::model::ApiClient;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait ApiClientTx: Send {
    /// Stores a new client under the hash of its bearer token. MUST return
    /// `Duplicate("api_client")` if the name (or the id, or the hash) exists.
    async fn insert_api_client(
        &mut self,
        client: &ApiClient,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// The client whose token hashes to `token_hash`, revoked or not. MUST return
    /// `NotFound` if there is none.
    async fn api_client_by_token_hash(&mut self, token_hash: &str)
    -> Result<ApiClient, StoreError>;

    /// Every client, oldest first.
    async fn api_clients(&mut self) -> Result<Vec<ApiClient>, StoreError>;

    /// Revokes the client with this name at `at`. MUST return `NotFound` if there is
    /// no client of that name that is not revoked.
    async fn revoke_api_client(&mut self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Records that the client made a call at `at`.
    async fn touch_api_client(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
}
