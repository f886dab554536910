//! Refresh tokens: issued only when the service provider asked for
//! `offline_access` and the holder consented; each use exchanges the token for
//! a new one (rotation) within a family that ends [`REFRESH_FAMILY_DAYS`] after
//! the sign-in. A token presented a second time means it was copied: the whole
//! family is revoked. A suspended or revoked identity gets no new tokens.

use chrono::{DateTime, Duration, Utc};
use identity_core::ids::IdentityId;
use identity_core::{CredentialLevel, HolderId};
use uuid::Uuid;

use crate::ports::StoreError;
use crate::service::Service;
use crate::usecases::api_clients::token_hash;
use crate::usecases::oidc::authorization_codes::{GrantError, keep_revocations};

/// How long a family of refresh tokens lasts from the sign-in (SPID: 30 days at most).
pub const REFRESH_FAMILY_DAYS: i64 = 30;

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// The rotation family: every token exchanged from the first one.
    pub family_id: String,
    /// The service provider it was issued to.
    pub client_id: String,
    /// Whose.
    pub holder_id: HolderId,
    /// With which identity.
    pub identity_id: IdentityId,
    /// The level of the original sign-in.
    pub level: CredentialLevel,
    /// The consented attributes.
    pub attributes: Vec<String>,
    /// When this token was issued.
    pub created_at: DateTime<Utc>,
    /// When the family ends.
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged.
    pub used_at: Option<DateTime<Utc>>,
    /// When its family was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Service {
    /// The first token of a new family, which ends [`REFRESH_FAMILY_DAYS`]
    /// after `signed_in_at`.
    fn first_of_family(
        &self,
        client_id: &str,
        holder_id: HolderId,
        identity_id: IdentityId,
        level: CredentialLevel,
        attributes: &[String],
        signed_in_at: DateTime<Utc>,
    ) -> RefreshToken {
        RefreshToken {
            family_id: Uuid::now_v7().to_string(),
            client_id: client_id.to_owned(),
            holder_id,
            identity_id,
            level,
            attributes: attributes.to_vec(),
            created_at: self.clock.now(),
            expires_at: signed_in_at + Duration::days(REFRESH_FAMILY_DAYS),
            used_at: None,
            revoked_at: None,
        }
    }

    /// A new refresh token value: a JWT signed by the provider (the SPID
    /// federation's relying parties read its `exp` and `jti`), with a 256-bit
    /// random `jti`. Only its hash is kept; it is checked against the store
    /// on every use, like before.
    async fn new_refresh_value(
        &self,
        client_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let now = self.clock.now();
        let claims = serde_json::json!({
            "iss": self.config.public_url,
            "aud": [client_id],
            "client_id": client_id,
            "iat": now.timestamp(),
            "exp": expires_at.timestamp(),
            "jti": self.new_token(""),
        });
        self.sign_jwt(
            crate::ports::KeyPurpose::Oidc,
            super::keys::SigningAlg::Rs256,
            "JWT",
            &claims,
        )
        .await
        .map_err(|e| StoreError::Backend(Box::new(e)))
    }

    /// Starts a family for a sign-in with consented `offline_access` made now;
    /// returns the token (only its hash is kept).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id, holder = %holder_id, identity = %identity_id, level = level.as_u8()))]
    pub async fn issue_refresh_token(
        &self,
        client_id: &str,
        holder_id: HolderId,
        identity_id: IdentityId,
        level: CredentialLevel,
        attributes: &[String],
    ) -> Result<String, StoreError> {
        let token = self.first_of_family(
            client_id,
            holder_id,
            identity_id,
            level,
            attributes,
            self.clock.now(),
        );
        let value = self.new_refresh_value(client_id, token.expires_at).await?;
        let mut tx = self.store.begin().await?;
        tx.insert_refresh_token(&token_hash(&value), &token).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Starts the family of a code's grant inside `tx`: returns the token and
    /// its family.
    pub(crate) async fn start_refresh_family(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        grant: &super::authorization_codes::AuthorizationGrant,
    ) -> Result<(String, String), StoreError> {
        let token = self.first_of_family(
            &grant.client_id,
            grant.holder_id,
            grant.identity_id,
            grant.level,
            &grant.attributes,
            grant.auth_time,
        );
        let value = self
            .new_refresh_value(&grant.client_id, token.expires_at)
            .await?;
        tx.insert_refresh_token(&token_hash(&value), &token).await?;
        Ok((value, token.family_id))
    }

    /// Exchanges a refresh token of `client_id` for the next one of its family.
    /// Returns what it grants and the new token.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn rotate_refresh_token(
        &self,
        value: &str,
        client_id: &str,
    ) -> Result<(RefreshToken, String), GrantError> {
        let mut tx = self.store.begin().await?;
        let outcome = self.rotate_in(tx.as_mut(), value, client_id).await;
        let (next, tx) = keep_revocations(outcome, tx).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// [`Service::rotate_refresh_token`] inside `tx` (the caller issues the
    /// access token in the same transaction). On [`GrantError::Revoked`] the
    /// caller commits.
    pub(crate) async fn rotate_in(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        value: &str,
        client_id: &str,
    ) -> Result<(RefreshToken, String), GrantError> {
        let now = self.clock.now();
        let hash = token_hash(value);
        let current = match tx.refresh_token_for_update(&hash).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => {
                return Err(GrantError::InvalidGrant("unknown refresh token"));
            }
            Err(e) => return Err(e.into()),
        };
        if current.client_id != client_id {
            return Err(GrantError::InvalidGrant("refresh token of another client"));
        }
        if current.revoked_at.is_some() || now > current.expires_at {
            return Err(GrantError::InvalidGrant("refresh token revoked or expired"));
        }
        let identity_live = match tx.identity_for_update(current.identity_id).await {
            Ok(identity) => identity.state().is_active(),
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if current.used_at.is_some() || !identity_live {
            // A copy in someone else's hands, or an identity that may no longer
            // be used: nothing of this family works any more.
            tx.revoke_refresh_family(&current.family_id, now).await?;
            tx.revoke_access_tokens_of_family(&current.family_id, now)
                .await?;
            return Err(GrantError::Revoked(if identity_live {
                "refresh token used already: its family is revoked"
            } else {
                "the identity is not active"
            }));
        }
        tx.use_refresh_token(&hash, now).await?;
        let next = RefreshToken {
            created_at: now,
            used_at: None,
            ..current.clone()
        };
        let next_value = self.new_refresh_value(client_id, next.expires_at).await?;
        tx.insert_refresh_token(&token_hash(&next_value), &next)
            .await?;
        Ok((next, next_value))
    }

    /// Revokes the family of a refresh token of `client_id` (the revocation
    /// endpoint). Unknown tokens and other clients' are ignored, as RFC 7009 asks.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn revoke_refresh_token(
        &self,
        value: &str,
        client_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        match tx.refresh_token_for_update(&token_hash(value)).await {
            Ok(t) if t.client_id == client_id => {
                tx.revoke_refresh_family(&t.family_id, now).await?;
                tx.commit().await
            }
            Ok(_) | Err(StoreError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
