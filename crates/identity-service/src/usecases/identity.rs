//! Digital-identity use cases: request, verify (operator), suspend, reactivate,
//! revoke. Every transition is decided by identity-core, then saved with its audit
//! record and the holder's notification mail in one transaction.

use identity_core::identity::{
    Actor, DigitalIdentity, IdentityDocument, IdentityEvent, IdentityEventKind, IdentityState,
    Proofing, RevocationCause, SuspensionReason, TransitionError,
};
use identity_core::ids::IdentityId;
use identity_core::{HolderId, LoginNumber, SessionArea};
use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::ports::{IdentityCredentials, SessionFilter, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::orders::{open_order, settle_open_orders};
use crate::usecases::selfcare::issue_emergency_code;
use identity_core::{OrderKind, OrderState};

/// Why an identity use case failed. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Only natural persons (and professionals) can hold a digital identity.
    #[error("only natural persons can request a digital identity")]
    NotAPerson,
    /// The chosen username is not an active login of this holder.
    #[error("the username must be an active login of the holder")]
    NotTheHoldersLogin,
    /// The holder's tax code already has an identity that is not revoked.
    #[error("a digital identity already exists for this tax code")]
    AlreadyExists,
    /// The holder's identity data waits for (or failed) an operator's review of a
    /// tax code that disagrees with it.
    #[error("the holder's data is under review")]
    DataUnderReview,
    /// No such identity (or holder).
    #[error("not found")]
    NotFound,
    /// Too many codes sent in the last hour: try later.
    #[error("too many codes sent")]
    RateLimited,
    /// The lifecycle forbids it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(IdentityError);

/// Audits each event and mails the holder about it, inside `tx`.
async fn record_events(
    tx: &mut dyn StoreTx,
    identity: &DigitalIdentity,
    events: &[IdentityEvent],
) -> Result<(), StoreError> {
    let holder = tx.holder(identity.holder_id()).await?;
    for e in events {
        let details = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
        audit(
            tx,
            e.at,
            &e.actor.to_audit_string(),
            e.kind.audit_name(),
            Some(identity.holder_id()),
            details.clone(),
        )
        .await?;
        let mut params = json!({ "event": e.kind.audit_name(), "at": e.at.to_rfc3339(), "state": identity.state().code() });
        match &e.kind {
            IdentityEventKind::Suspended { reason, deadline } => {
                params["reason"] = json!(reason.code());
                params["deadline"] = json!(deadline.map(|d| d.to_rfc3339()));
            }
            IdentityEventKind::Revoked { cause } => params["cause"] = json!(cause.code()),
            _ => {}
        }
        mail_holder(tx, &holder, e.at, "identity_state_changed", params).await?;
    }
    Ok(())
}

/// The holder's digital identity that is not revoked, if any (there is at most
/// one), read inside `tx`.
pub(crate) async fn live_identity(
    tx: &mut dyn StoreTx,
    holder: HolderId,
) -> Result<Option<DigitalIdentity>, StoreError> {
    Ok(tx
        .identities_of(holder)
        .await?
        .into_iter()
        .find(|i| !i.state().is_revoked()))
}

impl Service {
    /// A holder requests a digital identity, naming one of its active logins as
    /// the username. The identity is `Pending` until an operator verifies it.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id, login = %username))]
    pub async fn request_identity(
        &self,
        holder_id: HolderId,
        username: LoginNumber,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(holder_id).await?;
        let person = holder.person().ok_or(IdentityError::NotAPerson)?;
        if matches!(
            holder.data_review(),
            identity_core::DataReview::Pending | identity_core::DataReview::Rejected
        ) {
            return Err(IdentityError::DataUnderReview);
        }
        let login = match tx.login(username).await {
            Ok(l) if l.holder_id() == holder_id && l.is_active() => l,
            Ok(_) | Err(StoreError::NotFound) => return Err(IdentityError::NotTheHoldersLogin),
            Err(e) => return Err(e.into()),
        };
        let (identity, event) = DigitalIdentity::request(
            IdentityId::from_uuid(Uuid::now_v7()),
            holder_id,
            login.number(),
            Actor::Holder(holder_id),
            now,
        );
        tx.insert_identity(&identity, person.tax_code().as_str())
            .await
            .or_duplicate(IdentityError::AlreadyExists)?;
        tx.insert_credentials(&IdentityCredentials::new(identity.id()))
            .await?;
        // The request is an order the holder follows in the customer area.
        open_order(tx.as_mut(), holder_id, OrderKind::DigitalIdentity, now).await?;
        record_events(tx.as_mut(), &identity, &[event]).await?;
        tx.commit().await?;
        Ok(identity)
    }

    /// Applies a transition to an identity under a row lock and records its events.
    /// A holder may only act on its own identity: another holder's is `NotFound`.
    async fn transition(
        &self,
        id: IdentityId,
        actor: &Actor,
        decide: impl FnOnce(
            DigitalIdentity,
        ) -> Result<(DigitalIdentity, Vec<IdentityEvent>), TransitionError>
        + Send,
    ) -> Result<DigitalIdentity, IdentityError> {
        let mut tx = self.store.begin().await?;
        let identity = self.transition_in(tx.as_mut(), id, actor, decide).await?;
        tx.commit().await?;
        Ok(identity)
    }

    /// [`Service::transition`] inside the caller's transaction, so that a change
    /// proven by a single-use code spends the code and changes the identity
    /// together, or neither.
    pub(crate) async fn transition_in(
        &self,
        tx: &mut dyn StoreTx,
        id: IdentityId,
        actor: &Actor,
        decide: impl FnOnce(
            DigitalIdentity,
        ) -> Result<(DigitalIdentity, Vec<IdentityEvent>), TransitionError>
        + Send,
    ) -> Result<DigitalIdentity, IdentityError> {
        let identity = tx
            .identity_for_update(id)
            .await
            .or_missing(IdentityError::NotFound)?;
        if let Actor::Holder(holder) = actor
            && *holder != identity.holder_id()
        {
            return Err(IdentityError::NotFound);
        }
        let (identity, events) = decide(identity)?;
        tx.update_identity(&identity).await?;
        // A suspended or revoked identity's live sessions end at once (docs/domain.md
        // §4); the customer area does not depend on the identity.
        if matches!(
            identity.state(),
            IdentityState::Suspended { .. } | IdentityState::Revoked { .. }
        ) {
            let filter = SessionFilter {
                area: Some(SessionArea::Selfcare),
                ..SessionFilter::default()
            };
            tx.delete_sessions(identity.holder_id(), &filter).await?;
            tx.delete_pending_sign_ins_of(identity.holder_id()).await?;
        }
        record_events(tx, &identity, &events).await?;
        self.credentials_follow(tx, &identity, &events, actor)
            .await?;
        Ok(identity)
    }

    /// What a transition does to the credentials: activation issues the emergency
    /// code (in two halves, by email and SMS); revocation revokes every level and
    /// forgets the secrets.
    async fn credentials_follow(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        events: &[IdentityEvent],
        actor: &Actor,
    ) -> Result<(), StoreError> {
        for e in events {
            match e.kind {
                IdentityEventKind::Verified { .. } => {
                    settle_open_orders(
                        tx,
                        identity.holder_id(),
                        OrderKind::DigitalIdentity,
                        OrderState::Completed,
                    )
                    .await?;
                    let mut creds = tx.credentials_for_update(identity.id()).await?;
                    issue_emergency_code(
                        tx,
                        self.random.as_ref(),
                        identity,
                        &mut creds,
                        &actor.to_audit_string(),
                        e.at,
                    )
                    .await?;
                }
                IdentityEventKind::Revoked { .. } => {
                    // A request revoked before its verification cancels its order.
                    settle_open_orders(
                        tx,
                        identity.holder_id(),
                        OrderKind::DigitalIdentity,
                        OrderState::Cancelled,
                    )
                    .await?;
                    let mut creds = tx.credentials_for_update(identity.id()).await?;
                    creds.levels = creds.levels.revoke_all();
                    creds.totp_secret = None;
                    creds.totp_pending = None;
                    creds.emergency_hash = None;
                    tx.update_credentials(&creds).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// An operator records the identity proofing: `Pending -> Active`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn verify_identity(
        &self,
        id: IdentityId,
        proofing: Proofing,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| {
            i.verify(proofing, actor, now).map(|(i, e)| (i, vec![e]))
        })
        .await
    }

    /// Suspends an active identity.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn suspend_identity(
        &self,
        id: IdentityId,
        reason: SuspensionReason,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| {
            i.suspend(reason, actor, now).map(|(i, e)| (i, vec![e]))
        })
        .await
    }

    /// Reactivates a suspended identity (the caller has verified who asks).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn reactivate_identity(
        &self,
        id: IdentityId,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| {
            i.reactivate(actor, now).map(|(i, e)| (i, vec![e]))
        })
        .await
    }

    /// Revokes an identity. Final.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn revoke_identity(
        &self,
        id: IdentityId,
        cause: RevocationCause,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| {
            i.revoke(cause, actor, now).map(|(i, e)| (i, vec![e]))
        })
        .await
    }

    /// An operator records a police report (denuncia) on a suspended identity:
    /// at the suspension's deadline it is revoked instead of kept suspended.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn record_police_report(
        &self,
        id: IdentityId,
        reference: &str,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| {
            i.record_police_report(reference, actor, now)
                .map(|(i, e)| (i, vec![e]))
        })
        .await
    }

    /// An operator records a new identity document; an identity suspended for an
    /// expired document becomes active again.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn record_document(
        &self,
        id: IdentityId,
        document: IdentityDocument,
        actor: Actor,
    ) -> Result<DigitalIdentity, IdentityError> {
        let now = self.clock.now();
        let who = actor.clone();
        self.transition(id, &who, move |i| i.record_document(document, actor, now))
            .await
    }

    /// The holder's identities, newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn identities_of(
        &self,
        holder_id: HolderId,
    ) -> Result<Vec<DigitalIdentity>, IdentityError> {
        let mut tx = self.store.begin_read().await?;
        let list = tx.identities_of(holder_id).await?;
        drop(tx);
        Ok(list)
    }
}
