//! Storage of the customer area's own records: holder corrections and closure,
//! privacy consents, single-use codes sent by email, and fresh re-authentication.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::consent::ConsentDecision;
use identity_core::{Holder, HolderId};

use super::StoreError;
use crate::model::{CodePurpose, OneTimeCode};

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait AccountTx: Send {
    /// Replaces the identity fields (names, tax code, birth data, company name, VAT
    /// number) and the data review state of an existing holder: only for an
    /// operator's decision on a correction request.
    /// MUST return `NotFound` if the holder is absent or closed.
    async fn update_holder_identity(&mut self, holder: &Holder) -> Result<(), StoreError>;

    /// Closes the holder's account at `at`: the row stays (so audit entries and
    /// proofing records keep their subject) with only its id, subject kind, tax code,
    /// VAT number and dates; every other personal field is erased, its consents,
    /// codes, sessions and password hashes are deleted, the values in its
    /// correction requests are blanked, and mail already sent to its address keeps
    /// neither the address nor the parameters. A closed holder is not found
    /// by any look-up. MUST return `NotFound` if absent or already closed.
    async fn close_holder(&mut self, id: HolderId, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Appends a consent decision (the history is kept: the latest decision of each
    /// kind is the one in force).
    async fn insert_consent(
        &mut self,
        holder: HolderId,
        decision: &ConsentDecision,
    ) -> Result<(), StoreError>;

    /// The holder's consent decisions, oldest first.
    async fn consents_of(&mut self, holder: HolderId) -> Result<Vec<ConsentDecision>, StoreError>;

    /// Stores a single-use code (by the hash of its text). MUST return
    /// `Duplicate("code")` if the hash exists.
    async fn insert_code(&mut self, code: &OneTimeCode) -> Result<(), StoreError>;

    /// The code with this hash, locked until the transaction ends, used or not.
    /// MUST return `NotFound` if there is none.
    async fn code_for_update(&mut self, code_hash: &str) -> Result<OneTimeCode, StoreError>;

    /// Marks the code used at `at`. MUST return `Conflict` if it was already used
    /// (by a concurrent request), and `NotFound` if there is no such code.
    async fn use_code(&mut self, code_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// The holder's unused codes of `purpose`, newest first, expired ones included
    /// (the caller asks [`OneTimeCode::usable`]): to tell whether a code was sent
    /// and still waits.
    async fn unused_codes(
        &mut self,
        holder: HolderId,
        purpose: CodePurpose,
    ) -> Result<Vec<OneTimeCode>, StoreError>;

    /// Deletes the holder's unused codes of `purpose` (a new one replaces them) and
    /// returns how many went.
    async fn discard_codes(
        &mut self,
        holder: HolderId,
        purpose: CodePurpose,
    ) -> Result<u64, StoreError>;

    /// Records on the session with this token hash that its holder re-entered the
    /// credentials at `at` (contact changes need a recent one). MUST return
    /// `NotFound` if there is no such session.
    async fn mark_session_reauthenticated(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
