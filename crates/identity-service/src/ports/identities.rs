//! Storage of digital identities.

use async_trait::async_trait;
use identity_core::HolderId;
use identity_core::identity::DigitalIdentity;
use identity_core::ids::IdentityId;

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait IdentityTx: Send {
    /// Stores a new identity for the holder's tax code. MUST return
    /// `Duplicate("identity")` if the tax code already has an identity that is not
    /// revoked.
    async fn insert_identity(
        &mut self,
        identity: &DigitalIdentity,
        tax_code: &str,
    ) -> Result<(), StoreError>;
    /// Loads an identity and locks it until the transaction ends. MUST return
    /// `NotFound` if there is none.
    async fn identity_for_update(&mut self, id: IdentityId) -> Result<DigitalIdentity, StoreError>;
    /// The holder's identities, newest first (at most one is not revoked).
    async fn identities_of(&mut self, holder: HolderId)
    -> Result<Vec<DigitalIdentity>, StoreError>;
    /// Saves the state of an existing identity. MUST return `NotFound` if absent.
    async fn update_identity(&mut self, identity: &DigitalIdentity) -> Result<(), StoreError>;
}
