//! The selfcare panel of a digital identity (docs/domain.md §3): signing in
//! at the identity's highest credential level, the authenticator app (level 2),
//! the emergency code and the operations that need no sign-in (emergency block,
//! recovery of the username, the password and the emergency code), the holder's
//! own lifecycle requests, the access history and its notifications.
//!
//! Each family of operations has its own error: signing in
//! ([`sign_in::SelfcareSignInError`], with the second factor, a blocked level and
//! a lost phone), changing credentials in a fresh session
//! ([`authenticator::CredentialError`]), the operations without signing in
//! ([`emergency::EmergencyError`]) and the holder's own lifecycle requests
//! ([`lifecycle::OwnIdentityError`]).

pub mod access;
pub mod authenticator;
pub mod emergency;
pub mod lifecycle;
pub mod lost_authenticator;
pub mod operator;
mod phone;
pub mod recovery;
pub mod security_keys;
pub mod sign_in;
mod sms_codes;

use identity_core::credentials::{EmergencyCode, constant_time_eq};
use identity_core::identity::DigitalIdentity;
use identity_core::{Holder, HolderId, LoginNumber, Session};
use serde_json::json;

use crate::error::InfraError;
use crate::ports::{IdentityCredentials, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};

pub(crate) use phone::send_phone_change_code;
pub use sms_codes::SMS_CODE_DIGITS;

/// How recent the selfcare sign-in must be for sensitive operations.
pub const FRESH_SIGN_IN: chrono::Duration = chrono::Duration::minutes(10);

/// The stored form of an emergency code: SHA-256 (hex) of its canonical text.
/// A fast hash is enough: 80 random bits cannot be guessed offline.
pub(crate) fn emergency_hash(code: &EmergencyCode) -> String {
    crate::sha256_hex(code.as_str())
}

/// Whether `typed` is the identity's emergency code (compared in constant time).
pub(crate) fn emergency_matches(creds: &IdentityCredentials, typed: &EmergencyCode) -> bool {
    creds
        .emergency_hash
        .as_deref()
        .is_some_and(|h| constant_time_eq(h.as_bytes(), emergency_hash(typed).as_bytes()))
}

/// Queues a text message to `to` (a phone number) through the outbox: the
/// delivery worker hands `sms_*` templates to the [`crate::ports::SmsSender`].
pub(crate) async fn queue_sms(
    tx: &mut dyn StoreTx,
    holder: &Holder,
    at: chrono::DateTime<chrono::Utc>,
    template: &str,
    params: serde_json::Value,
) -> Result<(), StoreError> {
    let phone = holder.contacts().phone.to_string();
    crate::service::enqueue(tx, &phone, holder.lang(), at, template, params).await
}

/// Issues a new emergency code for the identity inside `tx` (the old one stops
/// working): its first half by email, its second half by SMS, so that neither
/// channel alone carries it.
pub(crate) async fn issue_emergency_code(
    tx: &mut dyn StoreTx,
    random: &dyn crate::ports::Randomness,
    identity: &DigitalIdentity,
    creds: &mut IdentityCredentials,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let code = EmergencyCode::generate(&mut crate::ports::RngOf(random));
    creds.emergency_hash = Some(emergency_hash(&code));
    creds.emergency_issued_at = Some(now);
    tx.update_credentials(creds).await?;
    let holder = tx.holder(identity.holder_id()).await?;
    let (first, second) = code.halves();
    mail_holder(
        tx,
        &holder,
        now,
        "emergency_code_half",
        json!({ "code": first, "at": now.to_rfc3339() }),
    )
    .await?;
    queue_sms(
        tx,
        &holder,
        now,
        "sms_emergency_half",
        json!({ "code": second }),
    )
    .await?;
    audit(
        tx,
        now,
        actor,
        "credential.emergency_code_issued",
        Some(identity.holder_id()),
        json!({ "identity_id": identity.id() }),
    )
    .await
}

/// Takes one send from the holder's [`CODE_SENDS`](crate::usecases::limits::CODE_SENDS)
/// inside `tx`: `false` when it is used up.
pub(crate) async fn take_send(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    crate::usecases::limits::take(
        tx,
        &format!("send:{holder}"),
        crate::usecases::limits::CODE_SENDS,
        now,
    )
    .await
}

/// Issues a single-use code of `purpose` (30 minutes) for the holder inside `tx`
/// and mails it with the sentence of that purpose (`security_code` template).
pub(crate) async fn send_security_code(
    tx: &mut dyn StoreTx,
    random: &dyn crate::ports::Randomness,
    holder: &Holder,
    purpose: crate::model::CodePurpose,
    login: Option<LoginNumber>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let code = crate::usecases::email_codes::issue_code(
        tx,
        random,
        purpose,
        holder.id(),
        login,
        None,
        now,
    )
    .await?;
    mail_holder(
        tx,
        holder,
        now,
        "security_code",
        json!({ "purpose": purpose.code(), "code": code }),
    )
    .await
}

/// The identity whose username is `login`: the live one, else the newest revoked
/// one (to say that it is revoked). `None` if the login never was a username.
pub(crate) async fn identity_of_username(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    login: LoginNumber,
) -> Result<Option<DigitalIdentity>, StoreError> {
    let all = tx.identities_of(holder).await?;
    let mine: Vec<_> = all.into_iter().filter(|i| i.username() == login).collect();
    Ok(mine
        .iter()
        .find(|i| !i.state().is_revoked())
        .or_else(|| mine.first())
        .cloned())
}

impl Service {
    /// The identity a selfcare session was opened for, with its credentials;
    /// `None` when the session's login is no identity's username (any more).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn selfcare_identity(
        &self,
        session: &Session,
    ) -> Result<Option<(DigitalIdentity, IdentityCredentials)>, InfraError> {
        let mut tx = self.store.begin_read().await?;
        let Some(identity) =
            identity_of_username(tx.as_mut(), session.holder_id, session.login).await?
        else {
            return Ok(None);
        };
        let creds = tx.credentials(identity.id()).await?;
        Ok(Some((identity, creds)))
    }

    /// Whether `session` was opened at the identity's highest level within
    /// [`FRESH_SIGN_IN`]: what sensitive operations need.
    pub fn selfcare_session_is_fresh(
        &self,
        session: &Session,
        creds: &IdentityCredentials,
    ) -> bool {
        let now = self.clock.now();
        let at_highest = creds
            .levels
            .required_sign_in_level()
            .is_ok_and(|l| session.level >= l);
        at_highest && now - session.created_at < FRESH_SIGN_IN
    }
}
