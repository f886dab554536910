//! The token side of the OpenID Connect provider: a code or a refresh token
//! exchanged for an access token (a JWT signed by the provider, as the SPID
//! federation's relying parties expect, stored hashed and read by the userinfo
//! endpoint) and, for a code, a signed ID token with the level performed
//! (`acr`), the request's `nonce`, `at_hash` and the pairwise `sub`; the
//! userinfo claims; revocation.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Duration;
use identity_core::HolderId;
use identity_core::oidc::{acr_of, pairwise_sub};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::authorization_codes::{AuthorizationGrant, GrantError, keep_revocations};
use super::claims::userinfo_claims;
use super::keys::{SigningAlg, SigningKeyError};
use crate::error::{InfraError, infra_error};
use crate::ports::{AccessTokenRecord, StoreError};
use crate::service::Service;
use crate::usecases::api_clients::token_hash;

/// How long an access token (and an ID token) is valid.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(10);

/// The name of the pairwise-subject salt among the provider's secrets.
const PAIRWISE_SALT: &str = "pairwise_salt";

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    /// The bearer token for the userinfo endpoint.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The signed ID token (code exchanges only).
    pub id_token: Option<String>,
    /// The next refresh token (with consented `offline_access`).
    pub refresh_token: Option<String>,
}

/// Why the token endpoint refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The code or refresh token is not good (`invalid_grant`).
    #[error(transparent)]
    Grant(GrantError),
    /// The machinery failed (storage, signing).
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(TokenError);

impl From<GrantError> for TokenError {
    fn from(e: GrantError) -> TokenError {
        match e {
            GrantError::Infra(infra) => TokenError::Infra(infra),
            refused => TokenError::Grant(refused),
        }
    }
}

impl From<SigningKeyError> for TokenError {
    fn from(e: SigningKeyError) -> TokenError {
        TokenError::Infra(e.into())
    }
}

/// Why the userinfo endpoint refused (`invalid_token`).
#[derive(Debug, thiserror::Error)]
pub enum UserinfoError {
    /// Unknown, expired or revoked token, or an identity no longer active.
    #[error("invalid_token: {0}")]
    InvalidToken(&'static str),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(UserinfoError);

/// `at_hash`: the left half of the SHA-256 of the access token, base64url
/// (OpenID Connect Core 3.1.3.6, for RS256 and ES256).
#[must_use]
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    B64.encode(&digest[..16])
}

/// The record of an access token of `client_id` issued `now`, not tied to a
/// code or a refresh family.
fn access_token_record(
    client_id: &str,
    holder_id: HolderId,
    identity_id: identity_core::ids::IdentityId,
    subject: String,
    level: identity_core::CredentialLevel,
    attributes: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> AccessTokenRecord {
    AccessTokenRecord {
        client_id: client_id.to_owned(),
        holder_id,
        identity_id,
        subject,
        level,
        attributes: attributes.to_vec(),
        code_hash: None,
        family_id: None,
        created_at: now,
        expires_at: now + ACCESS_TOKEN_LIFETIME,
        revoked_at: None,
    }
}

impl Service {
    /// A new access token: a JWT (RFC 9068, `typ` `at+jwt`) signed with the
    /// provider's RS256 key, naming the client, the pairwise subject and the
    /// level, with a 256-bit random `jti` so no two are alike. The provider
    /// still keeps it (hashed) and checks it on every use, so it can be revoked.
    async fn new_access_token(
        &self,
        client_id: &str,
        subject: &str,
        level: identity_core::CredentialLevel,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, SigningKeyError> {
        let claims = json!({
            "iss": self.config.public_url,
            "sub": subject,
            "aud": [client_id],
            "client_id": client_id,
            "iat": now.timestamp(),
            "exp": (now + ACCESS_TOKEN_LIFETIME).timestamp(),
            "acr": acr_of(level),
            "jti": self.new_token(""),
        });
        self.sign_jwt(
            crate::ports::KeyPurpose::Oidc,
            SigningAlg::Rs256,
            "at+jwt",
            &claims,
        )
        .await
    }

    /// The deployment's pairwise-subject salt, made (and sealed) at first use,
    /// then kept in memory (it never changes).
    async fn pairwise_salt(&self) -> Result<Vec<u8>, StoreError> {
        if let Some(salt) = self.oidc_cache.salt.get() {
            return Ok(salt.clone());
        }
        let salt = self.stored_pairwise_salt().await?;
        Ok(self.oidc_cache.salt.get_or_init(|| salt).clone())
    }

    async fn stored_pairwise_salt(&self) -> Result<Vec<u8>, StoreError> {
        let context = PAIRWISE_SALT.as_bytes();
        let open = |sealed: &str| {
            self.config
                .keyring
                .open(sealed, context)
                .map_err(|e| StoreError::Corrupt(format!("pairwise salt: {e}")))
        };
        let mut tx = self.store.begin_read().await?;
        if let Some(sealed) = tx.oidc_secret(PAIRWISE_SALT).await? {
            return open(&sealed);
        }
        drop(tx);
        let mut salt = [0u8; 32];
        self.random.fill(&mut salt);
        let sealed = self
            .config
            .keyring
            .seal(&salt, context)
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let mut tx = self.store.begin().await?;
        tx.insert_oidc_secret_if_absent(PAIRWISE_SALT, &sealed, self.clock.now())
            .await?;
        // Another node may have made one first: theirs stays.
        let stored = tx
            .oidc_secret(PAIRWISE_SALT)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        open(&stored)
    }

    /// The `sub` of `holder` at `client_id`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id, holder = %holder))]
    pub async fn pairwise_subject(
        &self,
        client_id: &str,
        holder: HolderId,
    ) -> Result<String, StoreError> {
        let salt = self.pairwise_salt().await?;
        Ok(pairwise_sub(&salt, client_id, &holder.to_string()))
    }

    /// Exchanges a code (its client authenticated by the caller): an access
    /// token, the ID token and, with consented `offline_access`, the first
    /// refresh token. A code presented again revokes what it gave.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn oidc_exchange_code(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<(TokenResponse, AuthorizationGrant), TokenError> {
        // The salt and the signing key exist before the transaction (making
        // either takes a transaction of its own), so the code is redeemed and
        // the tokens issued in one: a replay waits, then finds them to revoke.
        let salt = self.pairwise_salt().await?;
        self.current_signing_key(crate::ports::KeyPurpose::Oidc, SigningAlg::Rs256)
            .await?;
        let mut tx = self.store.begin().await?;
        let outcome = self
            .redeem_in(tx.as_mut(), code, client_id, redirect_uri, verifier)
            .await;
        let (grant, mut tx) = keep_revocations(outcome, tx).await?;
        let subject = pairwise_sub(&salt, client_id, &grant.holder_id.to_string());
        let now = self.clock.now();
        let access_token = self
            .new_access_token(client_id, &subject, grant.level, now)
            .await?;
        let claims = json!({
            "iss": self.config.public_url,
            "sub": subject,
            "aud": client_id,
            "iat": now.timestamp(),
            "exp": (now + ACCESS_TOKEN_LIFETIME).timestamp(),
            "auth_time": grant.auth_time.timestamp(),
            "nonce": grant.nonce,
            "acr": acr_of(grant.level),
            "at_hash": at_hash(&access_token),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let id_token = self.sign_jws(SigningAlg::Rs256, &claims).await?;
        let active = tx
            .identity_for_update(grant.identity_id)
            .await?
            .state()
            .is_active();
        if !active {
            return Err(GrantError::InvalidGrant("the identity is not active").into());
        }
        let (refresh_token, family_id) = if grant.offline_access {
            let (token, family) = self.start_refresh_family(tx.as_mut(), &grant).await?;
            (Some(token), Some(family))
        } else {
            (None, None)
        };
        tx.insert_access_token(
            &token_hash(&access_token),
            &AccessTokenRecord {
                code_hash: Some(token_hash(code)),
                family_id,
                ..access_token_record(
                    client_id,
                    grant.holder_id,
                    grant.identity_id,
                    subject,
                    grant.level,
                    &grant.attributes,
                    now,
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok((
            TokenResponse {
                access_token,
                expires_in: ACCESS_TOKEN_LIFETIME.num_seconds(),
                id_token: Some(id_token),
                refresh_token,
            },
            grant,
        ))
    }

    /// Exchanges a refresh token of `client_id` for a new access token and the
    /// next refresh token of its family.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn oidc_refresh(
        &self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<(TokenResponse, HolderId), TokenError> {
        // One transaction for the rotation and the new access token: a
        // family revoked meanwhile gets nothing.
        let salt = self.pairwise_salt().await?;
        // The signing key exists before the transaction (making one takes a
        // transaction of its own).
        self.current_signing_key(crate::ports::KeyPurpose::Oidc, SigningAlg::Rs256)
            .await?;
        let mut tx = self.store.begin().await?;
        let outcome = self.rotate_in(tx.as_mut(), refresh_token, client_id).await;
        let ((next, next_value), mut tx) = keep_revocations(outcome, tx).await?;
        let subject = pairwise_sub(&salt, client_id, &next.holder_id.to_string());
        let now = self.clock.now();
        let access_token = self
            .new_access_token(client_id, &subject, next.level, now)
            .await?;
        tx.insert_access_token(
            &token_hash(&access_token),
            &AccessTokenRecord {
                family_id: Some(next.family_id.clone()),
                ..access_token_record(
                    client_id,
                    next.holder_id,
                    next.identity_id,
                    subject,
                    next.level,
                    &next.attributes,
                    now,
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok((
            TokenResponse {
                access_token,
                expires_in: ACCESS_TOKEN_LIFETIME.num_seconds(),
                id_token: None,
                refresh_token: Some(next_value),
            },
            next.holder_id,
        ))
    }

    /// The userinfo claims of an access token: `sub` and the consented
    /// attributes, read now (a change of the holder's data shows at once).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn oidc_userinfo(
        &self,
        access_token: &str,
    ) -> Result<(Map<String, Value>, AccessTokenRecord), UserinfoError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let token = match tx.access_token(&token_hash(access_token)).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(UserinfoError::InvalidToken("unknown token")),
            Err(e) => return Err(e.into()),
        };
        if token.revoked_at.is_some() || now >= token.expires_at {
            return Err(UserinfoError::InvalidToken("token expired or revoked"));
        }
        let identity = tx
            .identities_of(token.holder_id)
            .await?
            .into_iter()
            .find(|i| i.id() == token.identity_id)
            .filter(|i| i.state().is_active())
            .ok_or(UserinfoError::InvalidToken("the identity is not active"))?;
        let holder = tx.holder(token.holder_id).await?;
        let mut claims = userinfo_claims(&holder, identity.username(), &token.attributes);
        claims.insert("sub".into(), json!(token.subject));
        Ok((claims, token))
    }

    /// The access token `token` of `client_id`, if it is active (RFC 7662:
    /// another client's token, or an unknown, expired or revoked one, is not).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn oidc_introspect(
        &self,
        token: &str,
        client_id: &str,
    ) -> Result<Option<AccessTokenRecord>, StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        match tx.access_token(&token_hash(token)).await {
            Ok(t) if t.client_id == client_id && t.revoked_at.is_none() && now < t.expires_at => {
                Ok(Some(t))
            }
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Revokes an access or refresh token of `client_id` (RFC 7009: unknown
    /// tokens and other clients' are ignored).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn oidc_revoke(&self, token: &str, client_id: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let revoked = tx
            .revoke_access_token(&token_hash(token), client_id, now)
            .await?;
        tx.commit().await?;
        if revoked == 0 {
            self.revoke_refresh_token(token, client_id).await?;
        }
        Ok(())
    }
}

impl Service {
    /// The service provider an ID token of ours was issued to (`aud`) and its
    /// `sub`, if its signature verifies with a published key and it names us as
    /// issuer; it may have expired (the end-session endpoint's `id_token_hint`).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn client_of_id_token(&self, id_token: &str) -> Option<(String, String)> {
        use jsonwebtoken::jwk::JwkSet;
        use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
        let header = decode_header(id_token).ok()?;
        let set: JwkSet = serde_json::from_value(self.jwks().await.ok()?).ok()?;
        let jwk = set.find(header.kid.as_deref()?)?;
        let key = DecodingKey::from_jwk(jwk).ok()?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.public_url]);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = decode::<Value>(id_token, &key, &validation).ok()?.claims;
        let aud = claims.get("aud").and_then(Value::as_str)?.to_owned();
        let sub = claims.get("sub").and_then(Value::as_str)?.to_owned();
        Some((aud, sub))
    }
}
