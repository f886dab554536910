//! Level 2 out of reach during a sign-in. Re-enrolment when the phone is lost is
//! proven, without a second factor, with the password plus the emergency code, or
//! the password plus a code by email and a code by SMS: the old secret stops at
//! once. Level 2 blocked by 5 wrong codes is unblocked with a code by email or
//! with the emergency code.

use identity_core::credentials::{CredentialLevel, EmergencyCode, LevelState, TotpState};
use identity_core::identity::DigitalIdentity;
use serde_json::json;

use super::authenticator::{credential_changed, end_sessions_from};
use super::sign_in::{Client, SelfcareSession, SelfcareSignInError};
use super::sms_codes::{issue_sms_code, redeem_sms_code};
use super::{emergency_matches, issue_emergency_code, queue_sms, send_security_code};
use crate::forms::{FieldErrors, InputRule};
use crate::model::CodePurpose;
use crate::ports::{IdentityCredentials, StoreTx};
use crate::service::Service;
use crate::usecases::email_codes::redeem_code;
use crate::usecases::limits::{EMERGENCY_CODE_ATTEMPTS, take};
use crate::usecases::sessions::SessionToken;

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

impl Service {
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
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
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
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
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
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
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
            (None, None),
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
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
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
