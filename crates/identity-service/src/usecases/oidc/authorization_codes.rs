//! Authorization codes of the code flow: issued after the user signed in and
//! consented, redeemed once at the token endpoint by the same client, with the
//! same redirect URI and the PKCE verifier of the request's challenge.

use chrono::{DateTime, Duration, Utc};
use identity_core::ids::IdentityId;
use identity_core::oidc::pkce_s256_matches;
use identity_core::{CredentialLevel, HolderId};

use crate::error::{InfraError, infra_error};
use crate::ports::{StoreError, StoreTx};
use crate::service::Service;
use crate::usecases::api_clients::token_hash;

/// How long a code may wait for its redemption.
pub const CODE_LIFETIME: Duration = Duration::minutes(2);

/// What a code grants: who signed in, at which level, for which client, what
/// was consented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationGrant {
    /// The service provider.
    pub client_id: String,
    /// The holder who signed in.
    pub holder_id: HolderId,
    /// With this digital identity.
    pub identity_id: IdentityId,
    /// Where the code was sent (the token request must name it again).
    pub redirect_uri: String,
    /// The request's nonce, for the ID token.
    pub nonce: String,
    /// The request's PKCE S256 challenge.
    pub code_challenge: String,
    /// The level actually performed (the ID token's `acr`).
    pub level: CredentialLevel,
    /// The attributes consented to.
    pub attributes: Vec<String>,
    /// Whether a refresh token was asked for and consented to.
    pub offline_access: bool,
    /// When the user signed in.
    pub auth_time: DateTime<Utc>,
}

/// Why a code was not redeemed: always `invalid_grant` to the caller.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Unknown, used, expired, or not this client's, redirect URI or verifier.
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    /// `invalid_grant` too, after revoking what a leaked code or token gave:
    /// the transaction holds the revocations and must be committed.
    #[error("invalid_grant: {0}")]
    Revoked(&'static str),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(GrantError);

/// Passes on what a redemption or rotation inside `tx` gave, with `tx` to go
/// on; when it refused a leaked code or token ([`GrantError::Revoked`]), first
/// commits the revocations `tx` holds.
pub(crate) async fn keep_revocations<T>(
    outcome: Result<T, GrantError>,
    tx: Box<dyn StoreTx>,
) -> Result<(T, Box<dyn StoreTx>), GrantError> {
    match outcome {
        Ok(value) => Ok((value, tx)),
        Err(GrantError::Revoked(why)) => {
            tx.commit().await?;
            Err(GrantError::Revoked(why))
        }
        Err(e) => Err(e),
    }
}

impl Service {
    /// Stores `grant` and returns its code (random, 256 bits; only its hash is kept).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn issue_authorization_code(
        &self,
        grant: &AuthorizationGrant,
    ) -> Result<String, StoreError> {
        let mut tx = self.store.begin().await?;
        let code = self.insert_code(tx.as_mut(), grant).await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Stores `grant` inside `tx` under a new code, valid [`CODE_LIFETIME`]
    /// from now; returns the code.
    pub(crate) async fn insert_code(
        &self,
        tx: &mut dyn StoreTx,
        grant: &AuthorizationGrant,
    ) -> Result<String, StoreError> {
        let now = self.clock.now();
        let code = self.new_token("");
        tx.insert_authorization_code(&token_hash(&code), grant, now, now + CODE_LIFETIME)
            .await?;
        Ok(code)
    }

    /// Redeems `code` for `client_id` (authenticated by the caller): once, before
    /// it expires, with the redirect URI it was sent to and the verifier of its
    /// PKCE challenge. A code presented twice is refused the second time, and
    /// what the first exchange gave is revoked.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn redeem_authorization_code(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<AuthorizationGrant, GrantError> {
        let mut tx = self.store.begin().await?;
        let outcome = self
            .redeem_in(tx.as_mut(), code, client_id, redirect_uri, verifier)
            .await;
        let (grant, tx) = keep_revocations(outcome, tx).await?;
        tx.commit().await?;
        Ok(grant)
    }

    /// [`Service::redeem_authorization_code`] inside `tx`, so the caller issues
    /// the tokens in the same transaction (a replay waits for it, then finds
    /// them to revoke). On [`GrantError::Revoked`] the caller commits.
    pub(crate) async fn redeem_in(
        &self,
        tx: &mut dyn StoreTx,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<AuthorizationGrant, GrantError> {
        let now = self.clock.now();
        let hash = token_hash(code);
        let (grant, expires_at, used_at) = match tx.authorization_code_for_update(&hash).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(GrantError::InvalidGrant("unknown code")),
            Err(e) => return Err(e.into()),
        };
        if used_at.is_some() {
            // The code leaked (RFC 6749 section 4.1.2): what it was exchanged
            // for stops working, refresh tokens included.
            for family in tx.revoke_access_tokens_of_code(&hash, now).await? {
                tx.revoke_refresh_family(&family, now).await?;
                tx.revoke_access_tokens_of_family(&family, now).await?;
            }
            return Err(GrantError::Revoked(
                "code used already: the tokens issued for it are revoked",
            ));
        }
        if now > expires_at {
            return Err(GrantError::InvalidGrant("code expired"));
        }
        if grant.client_id != client_id {
            return Err(GrantError::InvalidGrant("code of another client"));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(GrantError::InvalidGrant(
                "redirect_uri differs from the request's",
            ));
        }
        if !pkce_s256_matches(verifier, &grant.code_challenge) {
            return Err(GrantError::InvalidGrant("code_verifier does not match"));
        }
        tx.use_authorization_code(&hash, now).await?;
        Ok(grant)
    }
}
