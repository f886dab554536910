//! Level 2: the authenticator app. Enrolment shows a new secret (QR code and
//! manual key) and activates level 2 only when a first code from the app comes
//! back. Re-enrolment when the phone is lost is proven, without a second factor,
//! with the password plus the emergency code, or the password plus a code by
//! email and a code by SMS: the old secret stops at once. Level 2 blocked by 5
//! wrong codes is unblocked with a code by email or with the emergency code.

use crate::error::{InfraError, infra_error};
use chrono::Duration;
use identity_core::credentials::totp::{self, TotpSecret};
use identity_core::credentials::{CredentialLevel, EmergencyCode, LevelState, TotpState};
use identity_core::credentials::{LevelTransitionError, TotpError};
use identity_core::identity::DigitalIdentity;
use identity_core::{HolderId, Session, SessionArea};
use serde_json::json;

use super::sign_in::SelfcareSignInError;
use super::sign_in::{Client, SelfcareSession};
use super::sms_codes::{issue_sms_code, redeem_sms_code};
use super::{emergency_matches, issue_emergency_code, queue_sms, send_security_code};
use crate::forms::FieldErrors;
use crate::forms::InputRule;
use crate::model::CodePurpose;
use crate::ports::{IdentityCredentials, SessionFilter, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::email_codes::redeem_code;
use crate::usecases::limits::{EMERGENCY_CODE_ATTEMPTS, take};
use crate::usecases::sessions::SessionToken;

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

/// How a lost phone is proven, to re-enrol the authenticator.
#[derive(Debug, Clone, Copy)]
pub enum ReenrolProof<'a> {
    /// The emergency code.
    EmergencyCode(&'a str),
    /// The code sent by email and the code sent by SMS.
    Codes {
        /// The email code.
        email: &'a str,
        /// The SMS code.
        sms: &'a str,
    },
}

/// How a blocked level 2 is unblocked.
#[derive(Debug, Clone, Copy)]
pub enum UnblockProof<'a> {
    /// The emergency code.
    EmergencyCode(&'a str),
    /// The code sent by email.
    EmailCode(&'a str),
}

async fn credential_changed(
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
async fn end_sessions_from(
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

    /// Checks a typed emergency code against the identity's, counting the attempt.
    /// Spends the identity's emergency code: checks `typed` against it (counting
    /// the attempt) and, when it is right, issues a new one in two halves, since
    /// an emergency code works once. `creds` is updated with the new code.
    async fn spend_emergency_code(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        creds: &mut IdentityCredentials,
        typed: &str,
    ) -> Result<(), SelfcareSignInError> {
        let Some(code) = EmergencyCode::parse(typed) else {
            let mut errors = FieldErrors::new();
            errors.add("emergency_code", InputRule::EmergencyCodeFormat);
            return Err(SelfcareSignInError::Invalid(errors));
        };
        let key = format!("emergency:{}", identity.id());
        if !take(tx, &key, EMERGENCY_CODE_ATTEMPTS, self.clock.now()).await? {
            return Err(SelfcareSignInError::RateLimited);
        }
        if !emergency_matches(creds, &code) {
            return Err(SelfcareSignInError::InvalidCredentials);
        }
        tx.throttle_reset(&key).await?;
        let actor = format!("holder:{}", identity.holder_id());
        issue_emergency_code(
            tx,
            self.random.as_ref(),
            identity,
            creds,
            &actor,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    /// Sends a code to the reference email that unblocks level 2, for a waiting
    /// sign-in whose level 2 is blocked.
    pub async fn send_unblock_code(
        &self,
        pending: &SessionToken,
    ) -> Result<(), SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (p, _, creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        if creds.levels.state(CredentialLevel::L2) != LevelState::Blocked {
            return Err(
                identity_core::credentials::LevelTransitionError::NotBlocked(CredentialLevel::L2)
                    .into(),
            );
        }
        if !super::take_send(tx.as_mut(), p.holder_id, now).await? {
            tx.commit().await?;
            return Err(SelfcareSignInError::RateLimited);
        }
        let holder = tx.holder(p.holder_id).await?;
        send_security_code(
            tx.as_mut(),
            self.random.as_ref(),
            &holder,
            CodePurpose::UnblockLevel2,
            Some(p.login),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Unblocks level 2 of a waiting sign-in; the sign-in then asks for a code
    /// from the app as usual.
    pub async fn unblock_level2(
        &self,
        pending: &SessionToken,
        proof: UnblockProof<'_>,
    ) -> Result<(), SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (p, identity, mut creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        match proof {
            UnblockProof::EmergencyCode(typed) => {
                let spent = self
                    .spend_emergency_code(tx.as_mut(), &identity, &mut creds, typed)
                    .await;
                if let Err(e) = spent {
                    // The counted attempt stays counted.
                    tx.commit().await?;
                    return Err(e);
                }
            }
            UnblockProof::EmailCode(typed) => {
                let ok = redeem_code(tx.as_mut(), CodePurpose::UnblockLevel2, typed, now)
                    .await?
                    .is_some_and(|c| c.holder_id == p.holder_id);
                if !ok {
                    return Err(SelfcareSignInError::InvalidCredentials);
                }
            }
        }
        creds.levels = creds.levels.unblock(CredentialLevel::L2)?;
        creds.totp_state = creds.totp_state.reset_failures();
        tx.update_credentials(&creds).await?;
        credential_changed(tx.as_mut(), &identity, "level2_unblocked", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the two codes that prove a lost phone without the emergency code:
    /// one to the reference email, one by SMS to the phone on record.
    pub async fn send_reenrol_codes(
        &self,
        pending: &SessionToken,
    ) -> Result<(), SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (p, _, _) = self.pending_sign_in(tx.as_mut(), pending).await?;
        if p.level != CredentialLevel::L2 {
            return Err(SelfcareSignInError::SignInExpired);
        }
        if !super::take_send(tx.as_mut(), p.holder_id, now).await? {
            tx.commit().await?;
            return Err(SelfcareSignInError::RateLimited);
        }
        let holder = tx.holder(p.holder_id).await?;
        send_security_code(
            tx.as_mut(),
            self.random.as_ref(),
            &holder,
            CodePurpose::ReenrolAuthenticator,
            Some(p.login),
            now,
        )
        .await?;
        let sms_code = issue_sms_code(
            tx.as_mut(),
            self.random.as_ref(),
            CodePurpose::VerifyPhone,
            p.holder_id,
            None,
            now,
        )
        .await?;
        queue_sms(
            tx.as_mut(),
            &holder,
            now,
            "sms_code",
            json!({ "code": sms_code }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The phone was lost: with the password already checked (the waiting
    /// sign-in) and `proof`, level 2 is reset at once (the old secret stops
    /// working), the holder is told, and the sign-in completes at level 1 so the
    /// new phone can be enrolled.
    pub async fn reenrol_authenticator(
        &self,
        pending: &SessionToken,
        proof: ReenrolProof<'_>,
        client: Client<'_>,
    ) -> Result<SelfcareSession, SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (p, identity, mut creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        // A lost phone does not lower a sign-in that must reach level 3.
        if p.level != CredentialLevel::L2 {
            return Err(SelfcareSignInError::SignInExpired);
        }
        match proof {
            ReenrolProof::EmergencyCode(typed) => {
                let spent = self
                    .spend_emergency_code(tx.as_mut(), &identity, &mut creds, typed)
                    .await;
                if let Err(e) = spent {
                    // The counted attempt stays counted.
                    tx.commit().await?;
                    return Err(e);
                }
            }
            ReenrolProof::Codes { email, sms } => {
                let email_ok =
                    redeem_code(tx.as_mut(), CodePurpose::ReenrolAuthenticator, email, now)
                        .await?
                        .is_some_and(|c| c.holder_id == p.holder_id);
                let sms_ok =
                    redeem_sms_code(tx.as_mut(), CodePurpose::VerifyPhone, p.holder_id, sms, now)
                        .await?
                        .is_some();
                if !(email_ok && sms_ok) {
                    // Keep the counted SMS attempt; a used email code stays used.
                    tx.commit().await?;
                    return Err(SelfcareSignInError::InvalidCredentials);
                }
            }
        }
        if creds.levels.state(CredentialLevel::L2) == LevelState::Blocked {
            creds.levels = creds.levels.unblock(CredentialLevel::L2)?;
        }
        if creds.levels.state(CredentialLevel::L2) == LevelState::Active {
            creds.levels = creds.levels.remove(CredentialLevel::L2)?;
        }
        creds.totp_secret = None;
        creds.totp_state = TotpState::default();
        creds.totp_enrolled_at = None;
        creds.totp_pending = None;
        tx.update_credentials(&creds).await?;
        end_sessions_from(tx.as_mut(), identity.holder_id(), CredentialLevel::L2).await?;
        tx.delete_pending_sign_in(&p.token_hash).await?;
        credential_changed(tx.as_mut(), &identity, "level2_reset", now).await?;
        tx.commit().await?;
        let credential = match proof {
            ReenrolProof::EmergencyCode(_) => "password+emergency_code",
            ReenrolProof::Codes { .. } => "password+email_code+sms_code",
        };
        self.complete_sign_in(&identity, CredentialLevel::L1, credential, client)
            .await
    }
}
