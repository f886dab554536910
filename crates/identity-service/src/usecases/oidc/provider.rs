//! The authorization side of the OpenID Connect provider: the service provider
//! as the request checks see it, the request kept sealed in the browser while
//! the holder signs in, and the holder's decision on the consent page (an access
//! record either way; a code when accepted).

use chrono::{DateTime, Duration, Utc};
use identity_core::CredentialLevel;
use identity_core::Session;
use identity_core::identity::DigitalIdentity;
use identity_core::oidc::authorize::{AuthorizationRequest, ClientView};
use identity_core::{AccessOutcome, AccessRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::authorization_codes::AuthorizationGrant;
use super::log::TransactionEntry;
use crate::error::{InfraError, infra_error};
use crate::ports::{StoreError, StoreTx};
use crate::service::{Service, audit};
use crate::usecases::selfcare::access::record_access;
use crate::usecases::selfcare::identity_of_username;
use crate::usecases::service_providers::enabled_provider;

/// How long an authorization request waits for the holder to sign in and decide.
pub const REQUEST_WINDOW: Duration = Duration::minutes(15);

/// The sealing context of a waiting request (a sealed value of another kind
/// does not open as one).
const SEAL_CONTEXT: &[u8] = b"oidc-authorization-request";

/// An authorization request waiting for the holder, kept sealed in a cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// A random id: the consent page carries it, so a decision applies to the
    /// request the holder saw, not to one another tab started meanwhile.
    pub id: String,
    /// The checked request.
    pub request: AuthorizationRequest,
    /// The service provider's name, shown on the pages and in the access records.
    pub service_name: String,
    /// When the request arrived: sign-ins at levels 2 and 3 must come after it.
    pub started_at: DateTime<Utc>,
}

/// Why an authorization ends with `access_denied` at the service provider.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizationRefused {
    /// The identity may not be used, or the level cannot be met; the text is for
    /// the service provider's developers.
    #[error("access_denied: {0}")]
    AccessDenied(&'static str),
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(AuthorizationRefused);

/// The credential of a sign-in at `level`, for the access record.
fn credential_of(level: CredentialLevel) -> &'static str {
    match level {
        CredentialLevel::L1 => "password",
        CredentialLevel::L2 => "totp",
        CredentialLevel::L3 => "webauthn",
    }
}

/// The access record of `session`'s identity at the service provider.
fn provider_access(
    identity: &identity_core::identity::DigitalIdentity,
    at: DateTime<Utc>,
    session: &Session,
    pending: &PendingAuthorization,
    outcome: AccessOutcome,
    client_ip: Option<&str>,
) -> AccessRecord {
    AccessRecord {
        holder_id: identity.holder_id(),
        identity_id: Some(identity.id()),
        at,
        service: pending.service_name.clone(),
        level: session.level,
        credential: credential_of(session.level).to_owned(),
        outcome,
        client_ip: client_ip.map(str::to_owned),
    }
}

impl Service {
    /// The enabled service provider `client_id` as the request checks see it,
    /// with its name; `None` when unknown or disabled.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn oidc_client(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientView, String)>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        let Some((sp, _)) = enabled_provider(tx.as_mut(), client_id).await? else {
            return Ok(None);
        };
        let view = ClientView {
            client_id: sp.client_id,
            redirect_uris: sp.redirect_uris,
            allowed_levels: sp
                .allowed_levels
                .iter()
                .filter_map(|l| CredentialLevel::from_u8(*l))
                .collect(),
            attributes: sp.attributes,
        };
        Ok(Some((view, sp.name)))
    }

    /// Seals a waiting request for the browser's cookie.
    pub fn seal_pending_authorization(&self, pending: &PendingAuthorization) -> Option<String> {
        let bytes = serde_json::to_vec(pending).ok()?;
        self.config.keyring.seal(&bytes, SEAL_CONTEXT).ok()
    }

    /// Opens a sealed waiting request; `None` if it was tampered with, sealed
    /// under a key no longer in the keyring, or is older than [`REQUEST_WINDOW`].
    pub fn open_pending_authorization(&self, sealed: &str) -> Option<PendingAuthorization> {
        let bytes = self.config.keyring.open(sealed, SEAL_CONTEXT).ok()?;
        let pending: PendingAuthorization = serde_json::from_slice(&bytes).ok()?;
        (self.clock.now() - pending.started_at <= REQUEST_WINDOW).then_some(pending)
    }

    /// Checks that the identity of `session` may sign in to the service provider
    /// (active; a suspended or revoked one is refused, and the refusal is in its
    /// access history) and that the sign-in reached the level asked for.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn oidc_check_identity(
        &self,
        session: &Session,
        pending: &PendingAuthorization,
        client_ip: Option<&str>,
    ) -> Result<(), AuthorizationRefused> {
        let mut tx = self.store.begin().await?;
        let identity = identity_of_username(tx.as_mut(), session.holder_id, session.login)
            .await?
            .ok_or(AuthorizationRefused::AccessDenied(
                "the user has no digital identity",
            ))?;
        if let Some(why) = self
            .record_if_unfit(tx.as_mut(), &identity, session, pending, client_ip)
            .await?
        {
            tx.commit().await?;
            return Err(AuthorizationRefused::AccessDenied(why));
        }
        Ok(())
    }

    /// Why `identity` may not sign in to the provider (not active, or below
    /// the level asked for), after recording the failed access and the log
    /// entry inside `tx` (the caller commits); `None` when it may.
    async fn record_if_unfit(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        session: &Session,
        pending: &PendingAuthorization,
        client_ip: Option<&str>,
    ) -> Result<Option<&'static str>, StoreError> {
        let why = if !identity.state().is_active() {
            "the digital identity is suspended or revoked"
        } else if session.level < pending.request.level {
            "the digital identity cannot reach the level asked for"
        } else {
            return Ok(None);
        };
        let now = self.clock.now();
        let record = provider_access(
            identity,
            now,
            session,
            pending,
            AccessOutcome::Failed,
            client_ip,
        );
        record_access(tx, &self.metrics, &record, None).await?;
        TransactionEntry::new(now, "authorize", "access_denied")
            .client(&pending.request.client_id)
            .holder(identity.holder_id())
            .detail(why)
            .ip(client_ip)
            .write(tx)
            .await?;
        Ok(Some(why))
    }

    /// The holder's decision on the consent page. Accepted: a code is returned
    /// for the redirect, and a reused session's access is recorded (and
    /// notified when that is on for the level; a sign-in made for this request
    /// was recorded as it happened). Denied: the refusal is recorded and
    /// `access_denied` goes back. The identity is checked again under its lock
    /// (a refusal recorded as in [`Service::oidc_check_identity`]).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn oidc_decide(
        &self,
        session: &Session,
        pending: &PendingAuthorization,
        accepted: bool,
        client_ip: Option<&str>,
    ) -> Result<String, AuthorizationRefused> {
        let now = self.clock.now();
        let request = &pending.request;
        let mut tx = self.store.begin().await?;
        let identity = identity_of_username(tx.as_mut(), session.holder_id, session.login)
            .await?
            .ok_or(AuthorizationRefused::AccessDenied(
                "the user has no digital identity",
            ))?;
        let mut current = tx.identity_for_update(identity.id()).await?;
        if let Some(why) = self
            .record_if_unfit(tx.as_mut(), &current, session, pending, client_ip)
            .await?
        {
            tx.commit().await?;
            return Err(AuthorizationRefused::AccessDenied(why));
        }
        // The service provider may have been disabled, or the redirect URI
        // removed, while the holder was signing in.
        let still_registered = enabled_provider(tx.as_mut(), &request.client_id)
            .await?
            .is_some_and(|(sp, _)| sp.redirect_uris.contains(&request.redirect_uri));
        if !still_registered {
            return Err(AuthorizationRefused::AccessDenied(
                "the service provider is disabled or the redirect URI no longer registered",
            ));
        }
        let creds = tx.credentials_for_update(identity.id()).await?;
        // A sign-in made for this request was recorded (and notified) under the
        // provider's name already; a reused session's access is recorded now.
        let signed_in_for_it = session.created_at >= pending.started_at;
        let outcome = if accepted {
            AccessOutcome::Ok
        } else {
            AccessOutcome::ConsentDenied
        };
        let record = provider_access(&identity, now, session, pending, outcome, client_ip);
        if !(accepted && signed_in_for_it) {
            record_access(tx.as_mut(), &self.metrics, &record, Some(&creds)).await?;
        }
        let entry = TransactionEntry::new(now, "consent", "ok")
            .client(&request.client_id)
            .holder(identity.holder_id())
            .ip(client_ip);
        if !accepted {
            entry
                .outcome("access_denied")
                .detail("the user denied consent")
                .write(tx.as_mut())
                .await?;
            tx.commit().await?;
            return Err(AuthorizationRefused::AccessDenied(
                "the user denied consent",
            ));
        }
        if current.record_use(now).is_ok() {
            tx.update_identity(&current).await?;
        }
        let grant = AuthorizationGrant {
            client_id: request.client_id.clone(),
            holder_id: identity.holder_id(),
            identity_id: identity.id(),
            redirect_uri: request.redirect_uri.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            level: session.level,
            attributes: request.attributes.clone(),
            offline_access: request.offline_access,
            auth_time: session.created_at,
        };
        let code = self.insert_code(tx.as_mut(), &grant).await?;
        audit(
            tx.as_mut(),
            now,
            &format!("login:{}", session.login.get()),
            "oidc.consent",
            Some(identity.holder_id()),
            json!({
                "client_id": request.client_id,
                "level": session.level.as_u8(),
                "attributes": request.attributes,
                "offline_access": request.offline_access,
            }),
        )
        .await?;
        entry.write(tx.as_mut()).await?;
        tx.commit().await?;
        Ok(code)
    }
}
