//! Storage of the registered service providers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::model::ServiceProvider;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait ServiceProviderTx: Send {
    /// Stores a new provider with the SHA-256 of its client secret, if any. MUST
    /// return `Duplicate("service_provider")` if the client id is taken.
    async fn insert_service_provider(
        &mut self,
        sp: &ServiceProvider,
        secret_hash: Option<&str>,
    ) -> Result<(), StoreError>;

    /// The provider with this client id and its secret hash. MUST return
    /// `NotFound` if none.
    async fn service_provider(
        &mut self,
        client_id: &str,
    ) -> Result<(ServiceProvider, Option<String>), StoreError>;

    /// Every provider, by client id.
    async fn service_providers(&mut self) -> Result<Vec<ServiceProvider>, StoreError>;

    /// Replaces a provider's client secret hash (client_secret_basic). MUST return
    /// `NotFound` if there is no enabled provider with this client id.
    async fn set_service_provider_secret(
        &mut self,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<(), StoreError>;

    /// Replaces a provider's inline JWKS. MUST return `NotFound` if there is no
    /// enabled provider with this client id.
    async fn set_service_provider_jwks(
        &mut self,
        client_id: &str,
        jwks: &serde_json::Value,
    ) -> Result<(), StoreError>;

    /// Remembers the `jti` of a client assertion until `expires_at`. Returns
    /// `false`, changing nothing, when it was seen already (a replay).
    async fn record_assertion_jti(
        &mut self,
        client_id: &str,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Forgets assertion ids that expired before `now` (at most `limit`;
    /// `u32::MAX` for all); how many.
    async fn purge_assertion_jtis(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// Disables a provider. MUST return `NotFound` if there is none that is enabled.
    async fn disable_service_provider(
        &mut self,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
