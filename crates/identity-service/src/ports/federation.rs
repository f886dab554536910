//! Storage of the provider's federation settings and of the relying parties
//! registered through a trust chain (see `usecases/federation/`).

use async_trait::async_trait;

use super::StoreError;
use crate::model::{FederationClient, HeldTrustMark, ServiceProvider, TrustAnchor};

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait FederationTx: Send {
    /// Stores a trust anchor, replacing the keys of one with the same entity id;
    /// whether it was new.
    async fn put_trust_anchor(&mut self, anchor: &TrustAnchor) -> Result<bool, StoreError>;

    /// Every trust anchor, by entity id.
    async fn trust_anchors(&mut self) -> Result<Vec<TrustAnchor>, StoreError>;

    /// Removes a trust anchor. MUST return `NotFound` if there is none.
    async fn delete_trust_anchor(&mut self, entity_id: &str) -> Result<(), StoreError>;

    /// Stores a held trust mark, replacing one with the same id; whether it was new.
    async fn put_trust_mark(&mut self, mark: &HeldTrustMark) -> Result<bool, StoreError>;

    /// Every held trust mark, by id.
    async fn trust_marks(&mut self) -> Result<Vec<HeldTrustMark>, StoreError>;

    /// Removes a held trust mark. MUST return `NotFound` if there is none.
    async fn delete_trust_mark(&mut self, id: &str) -> Result<(), StoreError>;

    /// The relying party registered through a trust chain with this client id,
    /// if any.
    async fn federation_client(
        &mut self,
        client_id: &str,
    ) -> Result<Option<FederationClient>, StoreError>;

    /// Registers a relying party from its resolved chain, or renews one: its
    /// `service_providers` row (name, redirect URIs, keys; a disabled one stays
    /// disabled) and its federation row, together.
    async fn save_federation_client(
        &mut self,
        sp: &ServiceProvider,
        client: &FederationClient,
    ) -> Result<(), StoreError>;
}
