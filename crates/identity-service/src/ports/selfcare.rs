//! Storage of the selfcare panel: each identity's credentials, selfcare sign-ins
//! waiting for their second factor, and the holders' access history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::AccessRecord;
use identity_core::credentials::{CredentialLevel, CredentialLevels, TotpState};
use identity_core::ids::IdentityId;
use identity_core::{HolderId, LoginNumber};

use super::StoreError;

/// The credentials of one digital identity. Secrets are never here in clear: the
/// authenticator's secret is sealed (see [`crate::sealing::Keyring`]) and the
/// emergency code is a SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCredentials {
    /// The identity.
    pub identity_id: IdentityId,
    /// The state of each level.
    pub levels: CredentialLevels,
    /// The level-2 authenticator's sealed secret, while level 2 is active or blocked.
    pub totp_secret: Option<String>,
    /// Consecutive wrong codes and the last step accepted.
    pub totp_state: TotpState,
    /// When the authenticator in use was enrolled.
    pub totp_enrolled_at: Option<DateTime<Utc>>,
    /// An enrolment waiting for its first code: the sealed secret and when it began.
    pub totp_pending: Option<(String, DateTime<Utc>)>,
    /// SHA-256 (hex) of the canonical emergency code, once issued.
    pub emergency_hash: Option<String>,
    /// When the emergency code in force was issued.
    pub emergency_issued_at: Option<DateTime<Utc>>,
    /// Access-notification switches: bit `n - 1` is level `n`.
    pub notify_levels: u8,
}

impl IdentityCredentials {
    /// The credentials of a new identity: the username's password (level 1) only.
    #[must_use]
    pub fn new(identity_id: IdentityId) -> IdentityCredentials {
        IdentityCredentials {
            identity_id,
            levels: CredentialLevels::with_password(),
            totp_secret: None,
            totp_state: TotpState::default(),
            totp_enrolled_at: None,
            totp_pending: None,
            emergency_hash: None,
            emergency_issued_at: None,
            notify_levels: 0,
        }
    }

    /// Whether a successful sign-in at `level` is notified by email.
    #[must_use]
    pub fn notifies(&self, level: CredentialLevel) -> bool {
        self.notify_levels & (1 << (level.as_u8() - 1)) != 0
    }

    /// Turns the notification of `level` on or off.
    pub fn set_notify(&mut self, level: CredentialLevel, on: bool) {
        let bit = 1u8 << (level.as_u8() - 1);
        if on {
            self.notify_levels |= bit;
        } else {
            self.notify_levels &= !bit;
        }
    }
}

/// A selfcare sign-in whose password was right, waiting for the second factor
/// (or for level 2 to be unblocked). Short-lived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// SHA-256 (hex) of the token in the browser's cookie.
    pub token_hash: String,
    /// The identity signing in.
    pub identity_id: IdentityId,
    /// Its holder.
    pub holder_id: HolderId,
    /// The username.
    pub login: LoginNumber,
    /// The level the sign-in must reach.
    pub level: CredentialLevel,
    /// When the password was checked.
    pub created_at: DateTime<Utc>,
    /// After this the sign-in starts again from the password.
    pub expires_at: DateTime<Utc>,
}

/// Which access records to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessQuery {
    /// The holder.
    pub holder_id: HolderId,
    /// Only records at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only records before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Records to skip (newest first).
    pub offset: u32,
    /// Records to return at most.
    pub limit: u32,
}

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait SelfcareTx: Send {
    /// Stores the credentials of a new identity. MUST return
    /// `Duplicate("credentials")` if the identity has them already.
    async fn insert_credentials(&mut self, c: &IdentityCredentials) -> Result<(), StoreError>;

    /// The identity's credentials, locked until the transaction ends (so a burst
    /// of one-time codes is counted one after the other). MUST return `NotFound`
    /// if the identity has none.
    async fn credentials_for_update(
        &mut self,
        identity: IdentityId,
    ) -> Result<IdentityCredentials, StoreError>;

    /// The identity's credentials, not locked. MUST return `NotFound` if none.
    async fn credentials(
        &mut self,
        identity: IdentityId,
    ) -> Result<IdentityCredentials, StoreError>;

    /// Saves the credentials of an identity. MUST return `NotFound` if absent.
    async fn update_credentials(&mut self, c: &IdentityCredentials) -> Result<(), StoreError>;

    /// Stores a sign-in waiting for its second factor. MUST return
    /// `Duplicate("pending_sign_in")` if the token hash exists.
    async fn insert_pending_sign_in(&mut self, p: &PendingSignIn) -> Result<(), StoreError>;

    /// The waiting sign-in of `token_hash`, locked. MUST return `NotFound` if none.
    async fn pending_sign_in_for_update(
        &mut self,
        token_hash: &str,
    ) -> Result<PendingSignIn, StoreError>;

    /// The waiting sign-in of `token_hash`, not locked (for pages that only look).
    /// MUST return `NotFound` if none.
    async fn pending_sign_in(&mut self, token_hash: &str) -> Result<PendingSignIn, StoreError>;

    /// Forgets a waiting sign-in (done, abandoned or expired); absent is not an error.
    async fn delete_pending_sign_in(&mut self, token_hash: &str) -> Result<(), StoreError>;

    /// Forgets every waiting sign-in of the holder (its credentials or state
    /// changed: a sign-in started before must start again).
    async fn delete_pending_sign_ins_of(&mut self, holder: HolderId) -> Result<(), StoreError>;

    /// Appends a line to the holder's access history.
    async fn insert_access(&mut self, record: &AccessRecord) -> Result<(), StoreError>;

    /// The holder's access records matching `query`, newest first.
    async fn accesses(&mut self, query: &AccessQuery) -> Result<Vec<AccessRecord>, StoreError>;

    /// Removes at most `limit` of the oldest access records from before
    /// `before`; returns how many went.
    async fn purge_accesses(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
