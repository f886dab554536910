//! The holder's side of the identity lifecycle: requesting the identity (the
//! mobile phone verified by an SMS code), suspending it, reactivating it (a fresh
//! sign-in at the highest level plus a code sent to the reference email) and
//! asking for its revocation (confirmed with a code: final); and its history.

use crate::error::{InfraError, infra_error};
use crate::forms::FieldErrors;
use identity_core::identity::TransitionError;
use identity_core::identity::{Actor, DigitalIdentity, RevocationCause, SuspensionReason};
use identity_core::ids::IdentityId;
use identity_core::{HolderId, LoginNumber, Session};
use serde_json::json;

use super::sms_codes::{issue_sms_code, redeem_sms_code};
use super::{queue_sms, send_security_code};
use crate::forms::InputRule;
use crate::model::{AuditQuery, AuditRecord, CodePurpose};
use crate::service::Service;
use crate::usecases::email_codes::redeem_code;
use crate::usecases::identity::IdentityError;

/// Why the holder's own request about its identity failed (suspending it,
/// reactivating it or asking for its revocation with a confirmation code).
/// Nothing was changed, except that a wrong code is counted.
#[derive(Debug, thiserror::Error)]
pub enum OwnIdentityError {
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
    /// The lifecycle forbids the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(OwnIdentityError);

/// The longest note a holder may give when suspending its identity.
const NOTE_MAX: usize = 200;

/// Which confirmation a code sent to the reference email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Reactivating a suspended identity.
    Reactivate,
    /// Revoking the identity (final).
    Revoke,
}

impl Confirmation {
    fn purpose(self) -> CodePurpose {
        match self {
            Confirmation::Reactivate => CodePurpose::ReactivateIdentity,
            Confirmation::Revoke => CodePurpose::RevokeIdentity,
        }
    }
}

/// Whether the holder may reactivate a suspension of `reason` itself: those it
/// started (its request, the emergency block). An operator's suspension (fraud,
/// shared contacts, an expired document) is lifted by an operator.
#[must_use]
pub fn reason_lets_holder_reactivate(reason: SuspensionReason) -> bool {
    matches!(
        reason,
        SuspensionReason::HolderRequest | SuspensionReason::EmergencyBlock
    )
}

fn identity_failure(e: IdentityError) -> OwnIdentityError {
    match e {
        IdentityError::Transition(t) => OwnIdentityError::Transition(t),
        IdentityError::NotFound => OwnIdentityError::NoIdentity,
        IdentityError::Infra(infra) => OwnIdentityError::Infra(infra),
        other => {
            tracing::error!(error = %other, "identity change refused unexpectedly");
            OwnIdentityError::NotActive
        }
    }
}

fn check_holder_may_reactivate(identity: &DigitalIdentity) -> Result<(), OwnIdentityError> {
    match identity.state() {
        identity_core::IdentityState::Suspended { reason, .. }
            if reason_lets_holder_reactivate(*reason) =>
        {
            Ok(())
        }
        identity_core::IdentityState::Suspended { .. } => Err(OwnIdentityError::OperatorSuspension),
        _ => Err(identity_core::TransitionError::NotSuspended.into()),
    }
}

impl Service {
    /// Sends an SMS code to the holder's mobile phone, the first step of a
    /// digital-identity request with `username` as its username. The request's
    /// conditions are checked first, so a request that would be refused sends
    /// nothing.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id, login = %username))]
    pub async fn send_identity_phone_code(
        &self,
        holder_id: HolderId,
        username: LoginNumber,
    ) -> Result<(), IdentityError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(holder_id).await?;
        holder.person().ok_or(IdentityError::NotAPerson)?;
        if matches!(
            holder.data_review(),
            identity_core::DataReview::Pending | identity_core::DataReview::Rejected
        ) {
            return Err(IdentityError::DataUnderReview);
        }
        match tx.login(username).await {
            Ok(l) if l.holder_id() == holder_id && l.is_active() => {}
            Ok(_) | Err(crate::ports::StoreError::NotFound) => {
                return Err(IdentityError::NotTheHoldersLogin);
            }
            Err(e) => return Err(e.into()),
        }
        if crate::usecases::identity::live_identity(tx.as_mut(), holder_id)
            .await?
            .is_some()
        {
            return Err(IdentityError::AlreadyExists);
        }
        if !super::take_send(tx.as_mut(), holder_id, now).await? {
            tx.commit().await?;
            return Err(IdentityError::RateLimited);
        }
        let phone = holder.contacts().phone.to_string();
        let code = issue_sms_code(
            tx.as_mut(),
            self.random.as_ref(),
            CodePurpose::VerifyPhone,
            holder_id,
            (Some(username), Some(phone)),
            now,
        )
        .await?;
        queue_sms(
            tx.as_mut(),
            &holder,
            now,
            "sms_code",
            json!({ "code": code }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Requests the digital identity once the SMS code came back from the phone
    /// on record. `None` when the code is wrong, used or expired.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id, login = %username))]
    pub async fn request_identity_with_phone_code(
        &self,
        holder_id: HolderId,
        username: LoginNumber,
        sms_code: &str,
    ) -> Result<Option<DigitalIdentity>, IdentityError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(holder_id).await?;
        let code = redeem_sms_code(
            tx.as_mut(),
            CodePurpose::VerifyPhone,
            holder_id,
            sms_code,
            now,
        )
        .await?;
        let phone = holder.contacts().phone.to_string();
        let verified = code.is_some_and(|c| c.target.as_deref() == Some(phone.as_str()));
        tx.commit().await?;
        if !verified {
            return Ok(None);
        }
        self.request_identity(holder_id, username).await.map(Some)
    }

    /// The username of an identity request whose SMS code went to the phone on
    /// record and still waits (unused, unexpired), so the page asks for that code
    /// again instead of sending a new one; `None` if no code waits. Reads only.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn identity_phone_code_waiting(
        &self,
        holder_id: HolderId,
    ) -> Result<Option<LoginNumber>, InfraError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let phone = tx.holder(holder_id).await?.contacts().phone.to_string();
        let codes = tx.unused_codes(holder_id, CodePurpose::VerifyPhone).await?;
        Ok(codes
            .into_iter()
            .find(|c| {
                c.usable(CodePurpose::VerifyPhone, now) && c.target.as_deref() == Some(&*phone)
            })
            .and_then(|c| c.login))
    }

    /// Whether a code confirming `what` went to the reference email and still
    /// waits (unused, unexpired), so the page shows the field to type it in.
    /// Reads only.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn confirmation_code_waiting(
        &self,
        session: &Session,
        what: Confirmation,
    ) -> Result<bool, InfraError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let codes = tx.unused_codes(session.holder_id, what.purpose()).await?;
        Ok(codes.iter().any(|c| c.usable(what.purpose(), now)))
    }

    /// The session's identity, which must be fresh (signed in at the highest
    /// level within the last 10 minutes).
    async fn fresh_session_identity(
        &self,
        session: &Session,
    ) -> Result<DigitalIdentity, OwnIdentityError> {
        let (identity, creds) = self
            .selfcare_identity(session)
            .await?
            .ok_or(OwnIdentityError::NoIdentity)?;
        if identity.state().is_revoked() {
            return Err(OwnIdentityError::Revoked);
        }
        if !self.selfcare_session_is_fresh(session, &creds) {
            return Err(OwnIdentityError::NeedsFreshSignIn);
        }
        Ok(identity)
    }

    /// The holder suspends its own identity (docs/domain.md §4: 30 days to a
    /// decision), saying why in its own words (`note`, optional, at most 200
    /// characters, kept in the history). The reason on record is always "holder
    /// request", which the holder may lift itself. Every selfcare session ends.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn suspend_own_identity(
        &self,
        session: &Session,
        note: &str,
    ) -> Result<DigitalIdentity, OwnIdentityError> {
        let note = note.trim();
        if note.chars().count() > NOTE_MAX {
            let mut errors = crate::forms::FieldErrors::new();
            errors.add("note", InputRule::TooLong { max: NOTE_MAX });
            return Err(OwnIdentityError::Invalid(errors));
        }
        let (identity, _) = self
            .selfcare_identity(session)
            .await?
            .ok_or(OwnIdentityError::NoIdentity)?;
        let now = self.clock.now();
        let actor = Actor::Holder(session.holder_id);
        let who = actor.clone();
        let mut tx = self.store.begin().await?;
        let suspended = self
            .transition_in(tx.as_mut(), identity.id(), &who, move |i| {
                i.suspend(SuspensionReason::HolderRequest, actor, now)
                    .map(|(i, e)| (i, vec![e]))
            })
            .await
            .map_err(identity_failure)?;
        if !note.is_empty() {
            crate::service::audit(
                tx.as_mut(),
                now,
                &who.to_audit_string(),
                "identity.suspension_note",
                Some(session.holder_id),
                json!({ "identity_id": identity.id(), "note": note }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(suspended)
    }

    /// Sends the code that confirms a reactivation or a revocation to the
    /// reference email. The session must be fresh and at the highest level.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn send_confirmation_code(
        &self,
        session: &Session,
        what: Confirmation,
    ) -> Result<(), OwnIdentityError> {
        let identity = self.fresh_session_identity(session).await?;
        if what == Confirmation::Reactivate {
            check_holder_may_reactivate(&identity)?;
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !super::take_send(tx.as_mut(), session.holder_id, now).await? {
            tx.commit().await?;
            return Err(OwnIdentityError::RateLimited);
        }
        let holder = tx.holder(session.holder_id).await?;
        send_security_code(
            tx.as_mut(),
            self.random.as_ref(),
            &holder,
            what.purpose(),
            Some(identity.username()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reactivates or revokes the session's identity with the code from the email:
    /// the code is spent and the identity changed in one transaction.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id))]
    pub async fn confirm_with_code(
        &self,
        session: &Session,
        what: Confirmation,
        code: &str,
    ) -> Result<DigitalIdentity, OwnIdentityError> {
        let identity = self.fresh_session_identity(session).await?;
        if what == Confirmation::Reactivate {
            check_holder_may_reactivate(&identity)?;
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ok = redeem_code(tx.as_mut(), what.purpose(), code, now)
            .await?
            .is_some_and(|c| c.holder_id == session.holder_id);
        if !ok {
            return Err(OwnIdentityError::InvalidCredentials);
        }
        let actor = Actor::Holder(session.holder_id);
        let who = actor.clone();
        let changed = match what {
            Confirmation::Reactivate => {
                self.transition_in(tx.as_mut(), identity.id(), &who, move |i| {
                    i.reactivate(actor, now).map(|(i, e)| (i, vec![e]))
                })
                .await
            }
            Confirmation::Revoke => {
                self.transition_in(tx.as_mut(), identity.id(), &who, move |i| {
                    i.revoke(RevocationCause::HolderRequest, actor, now)
                        .map(|(i, e)| (i, vec![e]))
                })
                .await
            }
        }
        .map_err(identity_failure)?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every recorded event of an identity (state changes, emergency blocks,
    /// credential changes), oldest first: who, when, what, why.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder, identity = %identity))]
    pub async fn identity_history(
        &self,
        holder: HolderId,
        identity: IdentityId,
    ) -> Result<Vec<AuditRecord>, crate::ports::StoreError> {
        let mut tx = self.store.begin_read().await?;
        let all = tx
            .audit(&AuditQuery {
                holder_id: Some(holder),
                limit: 10_000,
                ..AuditQuery::default()
            })
            .await?;
        let id = identity.to_string();
        Ok(all
            .into_iter()
            .filter(|r| {
                (r.event.starts_with("identity.") || r.event.starts_with("credential."))
                    && r.details.get("identity_id").and_then(|v| v.as_str()) == Some(id.as_str())
            })
            .collect())
    }
}
