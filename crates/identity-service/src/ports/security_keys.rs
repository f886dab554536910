//! Storage of level 3: each identity's WebAuthn security keys, and the state of
//! a ceremony between its two requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::ids::IdentityId;

use super::StoreError;

/// A registered security key (or device-bound passkey) of an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityKey {
    /// The credential id (base64url), unique.
    pub id: String,
    /// The identity it belongs to.
    pub identity_id: IdentityId,
    /// The holder's name for it ("YubiKey blu").
    pub name: String,
    /// The public key and signature counter, as webauthn-rs serialises them.
    pub passkey: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// The last sign-in with it.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait SecurityKeyTx: Send {
    /// Stores a new key. MUST return `Duplicate("security_key")` if its id exists.
    async fn insert_security_key(&mut self, key: &SecurityKey) -> Result<(), StoreError>;

    /// The identity's keys, oldest first.
    async fn security_keys(&mut self, identity: IdentityId)
    -> Result<Vec<SecurityKey>, StoreError>;

    /// Saves a key's counter and last use. MUST return `NotFound` if absent.
    async fn update_security_key(&mut self, key: &SecurityKey) -> Result<(), StoreError>;

    /// Removes the identity's key `id`. MUST return `NotFound` if it has none such.
    async fn delete_security_key(
        &mut self,
        identity: IdentityId,
        id: &str,
    ) -> Result<(), StoreError>;

    /// Keeps the state of a ceremony for `owner`, replacing an earlier one.
    async fn put_ceremony(
        &mut self,
        owner: &str,
        state: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Takes (reads and removes) the ceremony state of `owner`, with when it began.
    async fn take_ceremony(
        &mut self,
        owner: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError>;
}
