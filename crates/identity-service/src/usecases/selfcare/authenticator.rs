//! Level 2: the authenticator app. Enrolment shows a new secret (QR code and
//! manual key) and activates level 2 only when a first code from the app comes
//! back; removing it needs a fresh sign-in. A lost phone or a blocked level 2 is
//! handled in `lost_authenticator`.

use crate::error::{InfraError, infra_error};
use chrono::Duration;
use identity_core::credentials::totp::{self, TotpSecret};
use identity_core::credentials::{CredentialLevel, LevelState, TotpState};
use identity_core::credentials::{LevelTransitionError, TotpError};
use identity_core::identity::DigitalIdentity;
use identity_core::{HolderId, Session, SessionArea};
use serde_json::json;

use crate::forms::FieldErrors;
use crate::ports::{IdentityCredentials, SessionFilter, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};

/// How long an enrolment waits for its first code (the same QR code is shown
/// again meanwhile).
pub const ENROLMENT_WINDOW: Duration = Duration::minutes(15);

/// The issuer shown in the authenticator app.
pub const TOTP_ISSUER: &str = "Identità digitale";

/// Why a change of credentials in a signed-in selfcare session failed (the
/// authenticator app, security keys, access notifications). Nothing was changed,
/// except that a wrong code is counted.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Fields are missing or malformed; each error is beside its field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The login is not the username of a digital identity.
    #[error("no digital identity")]
    NoIdentity,
    /// The identity is not active (pending or suspended) for this operation.
    #[error("the identity is not active")]
    NotActive,
    /// The operation needs a sign-in at the identity's highest level, within the
    /// last few minutes.
    #[error("a fresh sign-in at the highest level is needed")]
    NeedsFreshSignIn,
    /// The sign-in waiting for a second factor expired, or never existed.
    #[error("the sign-in expired")]
    SignInExpired,
    /// A one-time code from the authenticator app was refused.
    #[error(transparent)]
    Totp(#[from] TotpError),
    /// The credential levels forbid the change.
    #[error(transparent)]
    Level(#[from] LevelTransitionError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(CredentialError);

/// What the enrolment page shows.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The `otpauth://` URI, for the QR code.
    pub uri: String,
    /// The secret in base32, to type into the app by hand.
    pub manual_key: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(..)")
    }
}

pub(super) async fn credential_changed(
    tx: &mut dyn StoreTx,
    identity: &DigitalIdentity,
    change: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let holder = identity.holder_id();
    audit(
        tx,
        now,
        &format!("holder:{holder}"),
        &format!("credential.{change}"),
        Some(holder),
        json!({ "identity_id": identity.id() }),
    )
    .await?;
    let h = tx.holder(holder).await?;
    mail_holder(
        tx,
        &h,
        now,
        "credential_changed",
        json!({ "change": change, "at": now.to_rfc3339() }),
    )
    .await
}

/// Ends the holder's selfcare sessions signed in at `level` or higher.
pub(super) async fn end_sessions_from(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    level: CredentialLevel,
) -> Result<u64, StoreError> {
    tx.delete_sessions(
        holder,
        &SessionFilter {
            area: Some(SessionArea::Selfcare),
            min_level: Some(level),
            ..SessionFilter::default()
        },
    )
    .await
}

impl Service {
    fn open_secret(
        &self,
        identity: &DigitalIdentity,
        sealed: &str,
    ) -> Result<TotpSecret, CredentialError> {
        let bytes = self
            .config
            .keyring
            .open(sealed, identity.id().to_string().as_bytes())?;
        TotpSecret::from_bytes(&bytes)
            .ok_or(InfraError::Corrupt("stored TOTP secret has a bad length").into())
    }

    /// The identity and credentials of a session allowed to change credentials:
    /// the identity active, the session fresh and at the highest level.
    pub(super) async fn fresh_identity(
        &self,
        tx: &mut dyn StoreTx,
        session: &Session,
    ) -> Result<(DigitalIdentity, IdentityCredentials), CredentialError> {
        let identity = super::identity_of_username(tx, session.holder_id, session.login)
            .await?
            .ok_or(CredentialError::NoIdentity)?;
        if !identity.state().is_active() {
            return Err(CredentialError::NotActive);
        }
        let creds = tx.credentials_for_update(identity.id()).await?;
        if !self.selfcare_session_is_fresh(session, &creds) {
            return Err(CredentialError::NeedsFreshSignIn);
        }
        Ok((identity, creds))
    }

    /// The enrolment in progress (started within [`ENROLMENT_WINDOW`]), to show
    /// again; `None` if there is none. Reads only.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn totp_enrolment(
        &self,
        session: &Session,
    ) -> Result<Option<Enrolment>, CredentialError> {
        let now = self.clock.now();
        let (identity, creds) = self
            .selfcare_identity(session)
            .await?
            .ok_or(CredentialError::NoIdentity)?;
        // The secret is shown only to the session that may enrol it.
        if !identity.state().is_active() {
            return Err(CredentialError::NotActive);
        }
        if !self.selfcare_session_is_fresh(session, &creds) {
            return Err(CredentialError::NeedsFreshSignIn);
        }
        let Some((sealed, at)) = creds.totp_pending.as_ref() else {
            return Ok(None);
        };
        if now - *at >= ENROLMENT_WINDOW
            || creds.levels.state(CredentialLevel::L2) != LevelState::NotActivated
        {
            return Ok(None);
        }
        let secret = self.open_secret(&identity, sealed)?;
        let account = identity_core::LoginId::new(identity.username(), &self.config.login_domain);
        Ok(Some(Enrolment {
            uri: secret.otpauth_uri(TOTP_ISSUER, &account.to_string()),
            manual_key: secret.to_base32(),
        }))
    }

    /// Starts (or shows again) the enrolment of the authenticator app.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn start_totp_enrolment(
        &self,
        session: &Session,
    ) -> Result<Enrolment, CredentialError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (identity, mut creds) = self.fresh_identity(tx.as_mut(), session).await?;
        if creds.levels.state(CredentialLevel::L2) != LevelState::NotActivated {
            return Err(
                identity_core::credentials::LevelTransitionError::AlreadyActive(
                    CredentialLevel::L2,
                )
                .into(),
            );
        }
        let secret = match &creds.totp_pending {
            Some((sealed, at)) if now - *at < ENROLMENT_WINDOW => {
                self.open_secret(&identity, sealed)?
            }
            _ => {
                let secret = TotpSecret::generate(&mut crate::ports::RngOf(self.random.as_ref()));
                let sealed = self
                    .config
                    .keyring
                    .seal(secret.as_bytes(), identity.id().to_string().as_bytes())?;
                creds.totp_pending = Some((sealed, now));
                tx.update_credentials(&creds).await?;
                tx.commit().await?;
                secret
            }
        };
        let account = identity_core::LoginId::new(identity.username(), &self.config.login_domain);
        Ok(Enrolment {
            uri: secret.otpauth_uri(TOTP_ISSUER, &account.to_string()),
            manual_key: secret.to_base32(),
        })
    }

    /// Confirms the enrolment with a first code from the app: level 2 becomes
    /// active, the holder is told by email, and the selfcare sessions end (the
    /// next sign-in asks for a code).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn confirm_totp_enrolment(
        &self,
        session: &Session,
        code: &str,
    ) -> Result<(), CredentialError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (identity, mut creds) = self.fresh_identity(tx.as_mut(), session).await?;
        let Some((sealed, at)) = creds
            .totp_pending
            .clone()
            .filter(|(_, at)| now - *at < ENROLMENT_WINDOW)
        else {
            return Err(CredentialError::SignInExpired);
        };
        let _ = at;
        let secret = self.open_secret(&identity, &sealed)?;
        let (state, outcome) = totp::verify(&secret, code, now, &TotpState::default());
        outcome?;
        creds.levels = creds.levels.activate(CredentialLevel::L2)?;
        creds.totp_secret = Some(sealed);
        creds.totp_state = state;
        creds.totp_enrolled_at = Some(now);
        creds.totp_pending = None;
        tx.update_credentials(&creds).await?;
        credential_changed(tx.as_mut(), &identity, "level2_enrolled", now).await?;
        end_sessions_from(tx.as_mut(), identity.holder_id(), CredentialLevel::L1).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes level 2 (the session must be fresh, at level 2): the secret is
    /// forgotten and the sessions that used it end.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn remove_level2(&self, session: &Session) -> Result<(), CredentialError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (identity, mut creds) = self.fresh_identity(tx.as_mut(), session).await?;
        creds.levels = creds.levels.remove(CredentialLevel::L2)?;
        creds.totp_secret = None;
        creds.totp_state = TotpState::default();
        creds.totp_enrolled_at = None;
        tx.update_credentials(&creds).await?;
        end_sessions_from(tx.as_mut(), identity.holder_id(), CredentialLevel::L2).await?;
        credential_changed(tx.as_mut(), &identity, "level2_removed", now).await?;
        tx.commit().await?;
        Ok(())
    }
}
