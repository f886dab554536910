//! The selfcare panel of a digital identity (docs/domain.md §3): signing in
//! at the identity's highest credential level, the authenticator app (level 2),
//! the emergency code and the operations that need no sign-in (emergency block,
//! recovery of the username, the password and the emergency code), the holder's
//! own lifecycle requests, the access history and its notifications.

pub mod access;
pub mod authenticator;
pub mod emergency;
pub mod lifecycle;
pub mod operator;
mod phone;
pub mod security_keys;
pub mod sign_in;
mod sms_codes;

use identity_core::credentials::{
    EmergencyCode, LevelTransitionError, SignInBlocked, TotpError, constant_time_eq,
};
use identity_core::i18n::{Lang, Localized, pick};
use identity_core::identity::{DigitalIdentity, TransitionError};
use identity_core::{Holder, HolderId, LoginNumber, Session};
use serde_json::json;

use crate::forms::{FieldErrors, Message};
use crate::ports::{IdentityCredentials, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};

pub(crate) use phone::send_phone_change_code;
pub use sms_codes::SMS_CODE_DIGITS;

/// Why a selfcare operation failed. Nothing was changed, except where a variant
/// says so (a wrong one-time code is counted).
#[derive(Debug, thiserror::Error)]
pub enum SelfcareError {
    /// Fields are missing or malformed; each error is beside its field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Wrong login id, password, emergency code or single-use code: the caller is
    /// not told which.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts from this address or for this identifier: try later.
    #[error("too many attempts")]
    RateLimited,
    /// The login is not the username of a digital identity.
    #[error("no digital identity")]
    NoIdentity,
    /// The identity was revoked: final.
    #[error("the identity is revoked")]
    Revoked,
    /// The identity is not active (pending or suspended) for this operation.
    #[error("the identity is not active")]
    NotActive,
    /// The identity was suspended by an operator: only an operator reactivates it.
    #[error("suspended by an operator")]
    OperatorSuspension,
    /// The operation needs a sign-in at the identity's highest level, within the
    /// last few minutes.
    #[error("a fresh sign-in at the highest level is needed")]
    NeedsFreshSignIn,
    /// The sign-in waiting for a second factor expired, or never existed.
    #[error("the sign-in expired")]
    SignInExpired,
    /// A level cannot be used to sign in.
    #[error(transparent)]
    Blocked(#[from] SignInBlocked),
    /// A one-time code from the authenticator app was refused.
    #[error(transparent)]
    Totp(#[from] TotpError),
    /// The credential levels forbid the change.
    #[error(transparent)]
    Level(#[from] LevelTransitionError),
    /// The lifecycle forbids the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Password checking is at capacity: try again in a moment.
    #[error("busy")]
    Busy,
    /// Storage (or sealing) failed.
    #[error("storage error: {0}")]
    Store(String),
}

impl From<StoreError> for SelfcareError {
    fn from(e: StoreError) -> Self {
        SelfcareError::Store(e.to_string())
    }
}

impl From<crate::passwords::HashError> for SelfcareError {
    fn from(e: crate::passwords::HashError) -> Self {
        match e {
            crate::passwords::HashError::Busy => SelfcareError::Busy,
            other => SelfcareError::Store(other.to_string()),
        }
    }
}

impl From<crate::sealing::SealError> for SelfcareError {
    fn from(e: crate::sealing::SealError) -> Self {
        SelfcareError::Store(e.to_string())
    }
}

impl Localized for SelfcareError {
    fn message(&self, lang: Lang) -> String {
        let m = |it: &str, en: &str| pick(lang, it.to_owned(), en.to_owned());
        match self {
            SelfcareError::Invalid(_) => crate::forms::FIX_FIELDS.message(lang),
            SelfcareError::InvalidCredentials => m(
                "I dati inseriti non sono corretti.",
                "The details you entered are not correct.",
            ),
            SelfcareError::RateLimited => m(
                "Troppi tentativi: riprova tra un'ora.",
                "Too many attempts: try again in an hour.",
            ),
            SelfcareError::NoIdentity => m(
                "Questa login non è lo username di un'identità digitale. Puoi richiederne una dall'area clienti.",
                "This login is not the username of a digital identity. You can request one from the customer area.",
            ),
            SelfcareError::Revoked => m(
                "L'identità digitale è revocata: la revoca è definitiva. Puoi richiedere una nuova identità dall'area clienti.",
                "The digital identity is revoked: revocation is final. You can request a new identity from the customer area.",
            ),
            SelfcareError::NotActive => m(
                "L'identità digitale non è attiva.",
                "The digital identity is not active.",
            ),
            SelfcareError::OperatorSuspension => m(
                "Questa sospensione è stata decisa da un operatore: per riattivare l'identità contatta l'assistenza.",
                "This suspension was decided by an operator: to reactivate the identity, contact support.",
            ),
            SelfcareError::NeedsFreshSignIn => m(
                "Per questa operazione accedi di nuovo con le credenziali del livello più alto che hai attivato.",
                "For this operation, sign in again with the highest credential level you have activated.",
            ),
            SelfcareError::SignInExpired => m(
                "L'accesso è scaduto: inserisci di nuovo username e password.",
                "The sign-in expired: enter your username and password again.",
            ),
            SelfcareError::Blocked(b) => b.message(lang),
            SelfcareError::Totp(t) => t.message(lang),
            SelfcareError::Level(l) => l.message(lang),
            SelfcareError::Transition(t) => t.message(lang),
            SelfcareError::Busy => m(
                "Il servizio è molto richiesto in questo momento: riprova tra qualche secondo.",
                "The service is very busy right now: try again in a few seconds.",
            ),
            SelfcareError::Store(_) => crate::forms::TEMPORARY.message(lang),
        }
    }
}

/// The emergency code typed is not in the expected form.
pub(crate) const EMERGENCY_CODE_FORMAT: Message = Message::new(
    "Il codice di emergenza è formato da 16 caratteri (lettere e cifre).",
    "The emergency code has 16 characters (letters and digits).",
);

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
    /// The identity a selfcare session was opened for, with its credentials.
    pub async fn selfcare_identity(
        &self,
        session: &Session,
    ) -> Result<(DigitalIdentity, IdentityCredentials), SelfcareError> {
        let mut tx = self.store.begin_read().await?;
        let identity = identity_of_username(tx.as_mut(), session.holder_id, session.login)
            .await?
            .ok_or(SelfcareError::NoIdentity)?;
        let creds = tx.credentials(identity.id()).await?;
        Ok((identity, creds))
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
