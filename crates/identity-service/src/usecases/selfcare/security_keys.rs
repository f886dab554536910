//! Level 3: WebAuthn security keys (or passkeys that stay on their device), with
//! user verification, through webauthn-rs. A key is registered from a fresh
//! selfcare session at the highest level; signing in at level 3 is the password
//! and then an assertion from one of the identity's keys. Keys that declare they
//! may be synchronised to other devices (backup-eligible) are refused: level 3
//! means the private key never leaves the device.

use chrono::Duration;
use identity_core::AccessOutcome;
use identity_core::credentials::{CredentialLevel, LevelState};
use identity_core::identity::DigitalIdentity;
use identity_core::{LoginId, Session, SessionArea};
use serde_json::json;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

use super::access::record_access;
use super::authenticator::CredentialError;
use super::sign_in::SelfcareSignInError;
use super::sign_in::{Client, SelfcareSession};
use crate::error::InfraError;
use crate::forms::FieldErrors;
use crate::forms::InputRule;
use crate::ports::{SecurityKey, SessionFilter, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::sessions::SessionToken;

/// How long a ceremony may take between its two requests.
pub const CEREMONY_WINDOW: Duration = Duration::minutes(5);

/// Longest name of a key.
const NAME_MAX: usize = 40;

/// A key as the selfcare lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    /// Credential id (base64url).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Registered.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last sign-in with it.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn refused() -> CredentialError {
    let mut errors = FieldErrors::new();
    errors.add("credential", InputRule::SecurityKeyRefused);
    CredentialError::Invalid(errors)
}

fn cred_id_text(id: &impl serde::Serialize) -> String {
    serde_json::to_value(id)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Keeps a ceremony's `state` for `owner` and commits `tx`; the options for the
/// browser, as JSON.
async fn keep_ceremony(
    mut tx: Box<dyn StoreTx>,
    owner: &str,
    state: &impl serde::Serialize,
    options: &impl serde::Serialize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, InfraError> {
    let state = serde_json::to_string(state)?;
    tx.put_ceremony(owner, &state, now).await?;
    tx.commit().await?;
    Ok(serde_json::to_value(options)?)
}

impl Service {
    /// The relying party: this site's host and public URL.
    fn webauthn(&self) -> Result<Webauthn, InfraError> {
        let url = Url::parse(&self.config.public_url)
            .map_err(|_| InfraError::Config("the public URL does not parse"))?;
        let host = url
            .host_str()
            .ok_or(InfraError::Config("the public URL has no host"))?
            .to_owned();
        WebauthnBuilder::new(&host, &url)
            .and_then(|b| b.rp_name("Identità digitale").build())
            .map_err(InfraError::from)
    }

    /// The session's security keys.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn security_keys_of(
        &self,
        session: &Session,
    ) -> Result<Vec<KeySummary>, CredentialError> {
        let (identity, _) = self
            .selfcare_identity(session)
            .await?
            .ok_or(CredentialError::NoIdentity)?;
        let mut tx = self.store.begin_read().await?;
        Ok(tx
            .security_keys(identity.id())
            .await?
            .into_iter()
            .map(|k| KeySummary {
                id: k.id,
                name: k.name,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
            })
            .collect())
    }

    /// Starts registering a key: the options for `navigator.credentials.create`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn start_key_registration(
        &self,
        session: &Session,
    ) -> Result<serde_json::Value, CredentialError> {
        let now = self.clock.now();
        let webauthn = self.webauthn()?;
        let mut tx = self.store.begin().await?;
        let (identity, _) = self.fresh_identity(tx.as_mut(), session).await?;
        let existing = tx.security_keys(identity.id()).await?;
        let exclude = existing
            .iter()
            .filter_map(|k| serde_json::from_str::<Passkey>(&k.passkey).ok())
            .map(|p| p.cred_id().clone())
            .collect::<Vec<_>>();
        let username = LoginId::new(identity.username(), &self.config.login_domain).to_string();
        let holder = tx.holder(identity.holder_id()).await?;
        let (options, state) = webauthn
            .start_passkey_registration(
                identity.id().as_uuid(),
                &username,
                &holder.display_name(),
                Some(exclude),
            )
            .map_err(InfraError::from)?;
        Ok(keep_ceremony(tx, &format!("reg:{}", session.id), &state, &options, now).await?)
    }

    /// Finishes registering a key named `name` with the browser's answer
    /// (`credential`, JSON): level 3 becomes active, the holder is told, and the
    /// selfcare sessions end (the next sign-in asks for the key).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn finish_key_registration(
        &self,
        session: &Session,
        name: &str,
        credential: &str,
    ) -> Result<(), CredentialError> {
        let now = self.clock.now();
        let name = name.trim();
        let mut errors = FieldErrors::new();
        if name.chars().count() > NAME_MAX {
            errors.add("key_name", InputRule::TooLong { max: NAME_MAX });
            return Err(CredentialError::Invalid(errors));
        }
        let name = if name.is_empty() {
            "Chiave di sicurezza"
        } else {
            name
        };
        let webauthn = self.webauthn()?;
        let mut tx = self.store.begin().await?;
        let (identity, mut creds) = self.fresh_identity(tx.as_mut(), session).await?;
        let Some((state, at)) = tx.take_ceremony(&format!("reg:{}", session.id)).await? else {
            return Err(refused());
        };
        if now - at > CEREMONY_WINDOW {
            tx.commit().await?;
            return Err(refused());
        }
        let state: PasskeyRegistration = serde_json::from_str(&state).map_err(InfraError::from)?;
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(credential).map_err(|_| refused())?;
        let passkey = webauthn
            .finish_passkey_registration(&answer, &state)
            .map_err(|e| {
                tracing::info!(error = %e, "security key registration refused");
                refused()
            })?;
        let stored = serde_json::to_value(&passkey).map_err(InfraError::from)?;
        if stored["cred"]["backup_eligible"].as_bool() == Some(true) {
            tx.commit().await?;
            return Err(refused());
        }
        let id = cred_id_text(passkey.cred_id());
        tx.insert_security_key(&SecurityKey {
            id: id.clone(),
            identity_id: identity.id(),
            name: name.to_owned(),
            passkey: stored.to_string(),
            created_at: now,
            last_used_at: None,
        })
        .await?;
        if creds.levels.state(CredentialLevel::L3) == LevelState::NotActivated {
            creds.levels = creds.levels.activate(CredentialLevel::L3)?;
            tx.update_credentials(&creds).await?;
        }
        self.key_changed(tx.as_mut(), &identity, "level3_key_added", name, now)
            .await?;
        tx.delete_sessions(
            identity.holder_id(),
            &SessionFilter {
                area: Some(SessionArea::Selfcare),
                ..SessionFilter::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one of the session's keys; without keys level 3 is removed and the
    /// sessions that used it end.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn remove_security_key(
        &self,
        session: &Session,
        id: &str,
    ) -> Result<(), CredentialError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (identity, mut creds) = self.fresh_identity(tx.as_mut(), session).await?;
        let keys = tx.security_keys(identity.id()).await?;
        let Some(key) = keys.iter().find(|k| k.id == id) else {
            return Err(CredentialError::NoIdentity);
        };
        tx.delete_security_key(identity.id(), id).await?;
        if keys.len() == 1 {
            creds.levels = creds.levels.remove(CredentialLevel::L3)?;
            tx.update_credentials(&creds).await?;
        }
        tx.delete_sessions(
            identity.holder_id(),
            &SessionFilter {
                area: Some(SessionArea::Selfcare),
                min_level: Some(CredentialLevel::L3),
                ..SessionFilter::default()
            },
        )
        .await?;
        self.key_changed(tx.as_mut(), &identity, "level3_key_removed", &key.name, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn key_changed(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        change: &str,
        name: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), crate::ports::StoreError> {
        audit(
            tx,
            now,
            &format!("holder:{}", identity.holder_id()),
            &format!("credential.{change}"),
            Some(identity.holder_id()),
            json!({ "identity_id": identity.id(), "key": name }),
        )
        .await?;
        let holder = tx.holder(identity.holder_id()).await?;
        mail_holder(
            tx,
            &holder,
            now,
            "credential_changed",
            json!({ "change": change, "at": now.to_rfc3339() }),
        )
        .await
    }

    /// The options for `navigator.credentials.get`, for a sign-in waiting for
    /// its level-3 key.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn start_key_sign_in(
        &self,
        pending: &SessionToken,
    ) -> Result<serde_json::Value, SelfcareSignInError> {
        let now = self.clock.now();
        let webauthn = self.webauthn()?;
        let mut tx = self.store.begin().await?;
        let (p, identity, creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        if p.level != CredentialLevel::L3 {
            return Err(SelfcareSignInError::SignInExpired);
        }
        creds.levels.check_sign_in_at(CredentialLevel::L3)?;
        let keys: Vec<Passkey> = tx
            .security_keys(identity.id())
            .await?
            .iter()
            .filter_map(|k| serde_json::from_str(&k.passkey).ok())
            .collect();
        let (options, state) = webauthn
            .start_passkey_authentication(&keys)
            .map_err(InfraError::from)?;
        Ok(keep_ceremony(tx, &format!("auth:{}", p.token_hash), &state, &options, now).await?)
    }

    /// Finishes a level-3 sign-in with the browser's assertion (JSON).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn finish_key_sign_in(
        &self,
        pending: &SessionToken,
        credential: &str,
        client: Client<'_>,
    ) -> Result<SelfcareSession, SelfcareSignInError> {
        let now = self.clock.now();
        let webauthn = self.webauthn()?;
        let mut tx = self.store.begin().await?;
        let (p, identity, creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        if p.level != CredentialLevel::L3 {
            return Err(SelfcareSignInError::SignInExpired);
        }
        creds.levels.check_sign_in_at(CredentialLevel::L3)?;
        let ceremony = tx.take_ceremony(&format!("auth:{}", p.token_hash)).await?;
        let outcome = ceremony
            .filter(|(_, at)| now - *at <= CEREMONY_WINDOW)
            .and_then(|(state, _)| serde_json::from_str::<PasskeyAuthentication>(&state).ok())
            .zip(serde_json::from_str::<PublicKeyCredential>(credential).ok())
            .and_then(|(state, answer)| {
                webauthn.finish_passkey_authentication(&answer, &state).ok()
            });
        let Some(result) = outcome else {
            let record = super::sign_in::access(
                &identity,
                now,
                CredentialLevel::L3,
                "webauthn",
                AccessOutcome::Failed,
                client,
            );
            record_access(tx.as_mut(), &self.metrics, &record, None).await?;
            tx.commit().await?;
            return Err(SelfcareSignInError::InvalidCredentials);
        };
        let used = cred_id_text(result.cred_id());
        let mut keys = tx.security_keys(identity.id()).await?;
        let Some(key) = keys.iter_mut().find(|k| k.id == used) else {
            return Err(SelfcareSignInError::InvalidCredentials);
        };
        if let Ok(mut passkey) = serde_json::from_str::<Passkey>(&key.passkey) {
            passkey.update_credential(&result);
            key.passkey = serde_json::to_string(&passkey).unwrap_or_else(|_| key.passkey.clone());
        }
        key.last_used_at = Some(now);
        tx.update_security_key(key).await?;
        tx.delete_pending_sign_in(&p.token_hash).await?;
        tx.commit().await?;
        let credential = format!("webauthn:{}", key.name);
        self.complete_sign_in(&identity, CredentialLevel::L3, &credential, client)
            .await
    }
}
