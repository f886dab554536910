//! Storage of holders: the registered subjects, found by id, tax code, VAT number or email.

use async_trait::async_trait;
use identity_core::{Holder, HolderId};

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait HolderTx: Send {
    /// Stores a new holder. MUST return `Duplicate("holder")` if the id exists.
    async fn insert_holder(&mut self, holder: &Holder) -> Result<(), StoreError>;
    /// Loads a holder. MUST return `NotFound` if there is none with this id, or if
    /// its account was closed.
    async fn holder(&mut self, id: HolderId) -> Result<Holder, StoreError>;
    /// Loads a holder and locks its row until the transaction ends, so two changes
    /// of the same holder (on any node) happen one after the other instead of one
    /// overwriting the other. MUST return `NotFound` like [`HolderTx::holder`].
    async fn holder_for_update(&mut self, id: HolderId) -> Result<Holder, StoreError>;
    /// Saves the secondary attributes (contacts, address, language, when the email
    /// was verified) of an existing holder; identity fields are never updated here.
    /// MUST return `NotFound` if absent.
    async fn update_holder_contacts(&mut self, holder: &Holder) -> Result<(), StoreError>;
    /// Holders whose tax code (or VAT number, for `vat = true`) is `code`, oldest first.
    async fn holders_by_fiscal_code(
        &mut self,
        code: &str,
        vat: bool,
    ) -> Result<Vec<Holder>, StoreError>;

    /// Serializes transactions about the same tax code or VAT number until this
    /// one ends (the tax code is not unique, so "is it on file yet?" needs it):
    /// an advisory lock on PostgreSQL; SQLite already runs one writer at a time.
    async fn lock_fiscal_code(&mut self, code: &str) -> Result<(), StoreError>;

    /// Holders whose reference email is `normalized_email` (lower-cased), oldest first.
    async fn holders_by_email(&mut self, normalized_email: &str)
    -> Result<Vec<Holder>, StoreError>;
}
