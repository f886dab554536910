//! Storage of the OpenID Connect provider's access tokens, its own secrets and
//! its transaction log (see `usecases/oidc/`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::ids::IdentityId;
use identity_core::{CredentialLevel, HolderId};

use super::StoreError;

/// A stored access token (its value is only known to the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    /// The service provider it was issued to.
    pub client_id: String,
    /// Whose.
    pub holder_id: HolderId,
    /// With which identity.
    pub identity_id: IdentityId,
    /// The pairwise subject the provider knows the holder by.
    pub subject: String,
    /// The level of the sign-in.
    pub level: CredentialLevel,
    /// The consented attributes the userinfo endpoint releases.
    pub attributes: Vec<String>,
    /// The SHA-256 of the authorization code it was exchanged for, if any.
    pub code_hash: Option<String>,
    /// The refresh family issued with it, if any.
    pub family_id: Option<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One entry of the provider's transaction log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OidcTransaction {
    /// When.
    pub at: DateTime<Utc>,
    /// `authorize`, `consent`, `token`, `userinfo`, `revoke`, `end_session`.
    pub endpoint: String,
    /// The service provider named, when known.
    pub client_id: Option<String>,
    /// The holder concerned, when known.
    pub holder_id: Option<HolderId>,
    /// `ok` or the OAuth error code.
    pub outcome: String,
    /// Why, for the operators (never a secret).
    pub detail: Option<String>,
    /// The caller's address.
    pub client_ip: Option<String>,
}

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait OidcTx: Send {
    /// Stores an access token under its SHA-256.
    async fn insert_access_token(
        &mut self,
        token_hash: &str,
        token: &AccessTokenRecord,
    ) -> Result<(), StoreError>;

    /// The access token with this hash. MUST return `NotFound` if none.
    async fn access_token(&mut self, token_hash: &str) -> Result<AccessTokenRecord, StoreError>;

    /// Revokes the access tokens exchanged for a code; returns the refresh
    /// families issued with them.
    async fn revoke_access_tokens_of_code(
        &mut self,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError>;

    /// Revokes the access tokens issued with a refresh family; how many.
    async fn revoke_access_tokens_of_family(
        &mut self,
        family_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Revokes one access token of `client_id`; how many were revoked (0 or 1).
    async fn revoke_access_token(
        &mut self,
        token_hash: &str,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Deletes access tokens that expired before `before` (at most `limit`;
    /// `u32::MAX` for all); how many.
    async fn purge_access_tokens(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// The sealed secret `name`, if it was made.
    async fn oidc_secret(&mut self, name: &str) -> Result<Option<String>, StoreError>;

    /// Stores the sealed secret `name` unless one exists (two nodes may race: the
    /// first one stays).
    async fn insert_oidc_secret_if_absent(
        &mut self,
        name: &str,
        sealed: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Appends to the transaction log.
    async fn insert_oidc_transaction(&mut self, entry: &OidcTransaction) -> Result<(), StoreError>;

    /// The latest `limit` log entries, newest first, of one client or of all.
    async fn oidc_transactions(
        &mut self,
        client_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OidcTransaction>, StoreError>;

    /// Deletes at most `limit` of the oldest log entries from before `before`;
    /// how many.
    async fn purge_oidc_transactions(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
