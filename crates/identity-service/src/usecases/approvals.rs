//! The two-person rule: an identity verification, a new identity document or a
//! correction approval asked by one operator is carried out only when a second,
//! different operator confirms it. The request and each decision are audited.

use chrono::{DateTime, Utc};
use identity_core::CorrectionId;
use identity_core::identity::{IdentityDocument, Proofing};
use identity_core::ids::IdentityId;
use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{Approval, ApprovalState, Operator, OperatorRole};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::operators::OperatorError;

/// What an approval carries out once confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovedAction {
    /// Record the proofing of a pending identity (`identity verify`).
    VerifyIdentity {
        /// The identity.
        identity: IdentityId,
        /// The proofing to record.
        proofing: Proofing,
    },
    /// Record a new identity document (`identity record-document`).
    RecordDocument {
        /// The identity.
        identity: IdentityId,
        /// The new document.
        document: IdentityDocument,
    },
    /// Approve a holder's correction request (`correction approve`).
    ApproveCorrection {
        /// The request.
        correction: CorrectionId,
    },
}

impl ApprovedAction {
    fn kind(&self) -> &'static str {
        match self {
            ApprovedAction::VerifyIdentity { .. } => "identity.verify",
            ApprovedAction::RecordDocument { .. } => "identity.record_document",
            ApprovedAction::ApproveCorrection { .. } => "correction.approve",
        }
    }

    fn subject(&self) -> String {
        match self {
            ApprovedAction::VerifyIdentity { identity, .. }
            | ApprovedAction::RecordDocument { identity, .. } => identity.to_string(),
            ApprovedAction::ApproveCorrection { correction } => correction.to_string(),
        }
    }

    fn payload(&self) -> serde_json::Value {
        match self {
            ApprovedAction::VerifyIdentity { proofing, .. } => json!({ "proofing": proofing }),
            ApprovedAction::RecordDocument { document, .. } => json!({ "document": document }),
            ApprovedAction::ApproveCorrection { .. } => json!({}),
        }
    }

    fn of(approval: &Approval) -> Result<ApprovedAction, StoreError> {
        let corrupt = |e: String| StoreError::Corrupt(format!("approval {}: {e}", approval.id));
        match approval.kind.as_str() {
            "identity.verify" => Ok(ApprovedAction::VerifyIdentity {
                identity: approval
                    .subject
                    .parse()
                    .map_err(|e| corrupt(format!("{e}")))?,
                proofing: serde_json::from_value(approval.payload["proofing"].clone())
                    .map_err(|e| corrupt(e.to_string()))?,
            }),
            "identity.record_document" => Ok(ApprovedAction::RecordDocument {
                identity: approval
                    .subject
                    .parse()
                    .map_err(|e| corrupt(format!("{e}")))?,
                document: serde_json::from_value(approval.payload["document"].clone())
                    .map_err(|e| corrupt(e.to_string()))?,
            }),
            "correction.approve" => Ok(ApprovedAction::ApproveCorrection {
                correction: approval
                    .subject
                    .parse()
                    .map_err(|e| corrupt(format!("{e}")))?,
            }),
            other => Err(corrupt(format!("unknown kind {other}"))),
        }
    }
}

/// Why a decision on an approval was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// No approval with that id.
    #[error("no such approval")]
    NotFound,
    /// It was decided already.
    #[error("the approval was already {0}")]
    NotPending(&'static str),
    /// The operator who asked cannot also confirm.
    #[error("a second operator, not the one who asked, must decide")]
    SameOperator,
    /// The operator may not decide.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// Confirmed, but the action was refused when carried out (the approval is
    /// marked failed, with this note for operators).
    #[error("confirmed, but it could not be carried out: {0}")]
    ActionRefused(String),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ApprovalError);

/// The holder an action is about, so the approval's audit entries appear in
/// that holder's trail; `None` when the identity or request does not exist.
async fn holder_of(
    tx: &mut dyn crate::ports::StoreTx,
    action: &ApprovedAction,
) -> Result<Option<identity_core::HolderId>, StoreError> {
    let found = match action {
        ApprovedAction::VerifyIdentity { identity, .. }
        | ApprovedAction::RecordDocument { identity, .. } => tx
            .identity_for_update(*identity)
            .await
            .map(|i| i.holder_id()),
        ApprovedAction::ApproveCorrection { correction } => tx
            .correction_for_update(*correction)
            .await
            .map(|c| c.holder_id),
    };
    match found {
        Ok(holder) => Ok(Some(holder)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An identity transition's failure as an approval sees it: an infrastructure
/// failure to pass on, or the reason the action was refused (the approval fails;
/// the note is for operators: the domain's own account of it).
fn refusal_of_identity(e: crate::usecases::identity::IdentityError) -> Result<String, InfraError> {
    match e {
        crate::usecases::identity::IdentityError::Infra(infra) => Err(infra),
        other => Ok(other.to_string()),
    }
}

impl Service {
    /// Records `action` as waiting for a second operator; nothing else changes.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn request_approval(
        &self,
        action: &ApprovedAction,
        by: &Operator,
    ) -> Result<Approval, ApprovalError> {
        by.require(OperatorRole::Operator)?;
        let now = self.clock.now();
        let approval = Approval {
            id: Uuid::now_v7(),
            kind: action.kind().to_owned(),
            subject: action.subject(),
            payload: action.payload(),
            requested_by: by.name.clone(),
            requested_at: now,
            state: ApprovalState::Pending,
            decided_by: None,
            decided_at: None,
            note: None,
        };
        let mut tx = self.store.begin().await?;
        let holder = holder_of(tx.as_mut(), action).await?;
        tx.insert_approval(&approval).await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "approval.requested",
            holder,
            json!({ "approval": approval.id, "kind": approval.kind, "subject": approval.subject }),
        )
        .await?;
        tx.commit().await?;
        Ok(approval)
    }

    /// Approvals in `state` (all with `None`), oldest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn approvals(
        &self,
        state: Option<ApprovalState>,
        limit: u32,
    ) -> Result<Vec<Approval>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.approvals(state.map(ApprovalState::code), limit).await
    }

    /// A second operator rejects a pending approval, saying why.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), id = %id, operator = %by.name))]
    pub async fn reject_approval(
        &self,
        id: Uuid,
        reason: &str,
        by: &Operator,
    ) -> Result<Approval, ApprovalError> {
        self.decide(id, by, ApprovalState::Rejected, Some(reason.trim()))
            .await
    }

    /// A second operator confirms a pending approval, which is carried out under
    /// that operator in the same transaction: either both the decision and the
    /// action are stored, or neither. If the action is refused (the identity is
    /// no longer pending, the request was decided meanwhile), the approval is
    /// marked failed with the reason.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), id = %id, operator = %by.name))]
    pub async fn confirm_approval(
        &self,
        id: Uuid,
        by: &Operator,
    ) -> Result<Approval, ApprovalError> {
        by.require(OperatorRole::Operator)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut approval = self.pending_for(tx.as_mut(), id, by).await?;
        let actor = by.actor();
        let outcome = match ApprovedAction::of(&approval)? {
            ApprovedAction::VerifyIdentity { identity, proofing } => {
                let who = actor.clone();
                self.transition_in(tx.as_mut(), identity, &who, move |i| {
                    i.verify(proofing, actor, now).map(|(i, e)| (i, vec![e]))
                })
                .await
                .map(|_| ())
                .map_err(refusal_of_identity)
            }
            ApprovedAction::RecordDocument { identity, document } => {
                let who = actor.clone();
                self.transition_in(tx.as_mut(), identity, &who, move |i| {
                    i.record_document(document, actor, now)
                })
                .await
                .map(|_| ())
                .map_err(refusal_of_identity)
            }
            ApprovedAction::ApproveCorrection { correction } => self
                .approve_correction_in(tx.as_mut(), correction, &actor)
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    crate::usecases::corrections::CorrectionOpError::Infra(infra) => Err(infra),
                    other => Ok(other.to_string()),
                }),
        };
        match outcome {
            Ok(()) => {
                approval.state = ApprovalState::Confirmed;
                approval.decided_by = Some(by.name.clone());
                approval.decided_at = Some(now);
                tx.update_approval(&approval).await?;
                self.audit_decision(tx.as_mut(), &approval, by, now).await?;
                tx.commit().await?;
                Ok(approval)
            }
            Err(Err(infra)) => Err(infra.into()),
            Err(Ok(reason)) => {
                // The action's partial writes go with this transaction; the
                // failure is recorded in a new one.
                drop(tx);
                let mut tx = self.store.begin().await?;
                let mut approval = self.pending_for(tx.as_mut(), id, by).await?;
                approval.state = ApprovalState::Failed;
                approval.decided_by = Some(by.name.clone());
                approval.decided_at = Some(now);
                approval.note = Some(reason.clone());
                tx.update_approval(&approval).await?;
                self.audit_decision(tx.as_mut(), &approval, by, now).await?;
                tx.commit().await?;
                Err(ApprovalError::ActionRefused(reason))
            }
        }
    }

    /// The approval `id`, locked, if it is pending and `by` did not ask for it.
    async fn pending_for(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        id: Uuid,
        by: &Operator,
    ) -> Result<Approval, ApprovalError> {
        let approval = tx
            .approval_for_update(id)
            .await
            .or_missing(ApprovalError::NotFound)?;
        if approval.state != ApprovalState::Pending {
            return Err(ApprovalError::NotPending(approval.state.code()));
        }
        if approval.requested_by == by.name {
            return Err(ApprovalError::SameOperator);
        }
        Ok(approval)
    }

    /// Marks a pending approval decided by `by` (never its requester).
    async fn decide(
        &self,
        id: Uuid,
        by: &Operator,
        state: ApprovalState,
        note: Option<&str>,
    ) -> Result<Approval, ApprovalError> {
        by.require(OperatorRole::Operator)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut approval = self.pending_for(tx.as_mut(), id, by).await?;
        approval.state = state;
        approval.decided_by = Some(by.name.clone());
        approval.decided_at = Some(now);
        approval.note = note.map(str::to_owned);
        tx.update_approval(&approval).await?;
        self.audit_decision(tx.as_mut(), &approval, by, now).await?;
        tx.commit().await?;
        Ok(approval)
    }

    async fn audit_decision(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        approval: &Approval,
        by: &Operator,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let holder = match ApprovedAction::of(approval) {
            Ok(action) => holder_of(tx, &action).await?,
            Err(_) => None,
        };
        audit(
            tx,
            at,
            &by.actor().to_audit_string(),
            &format!("approval.{}", approval.state.code()),
            holder,
            json!({
                "approval": approval.id,
                "kind": approval.kind,
                "subject": approval.subject,
                "requested_by": approval.requested_by,
                "note": approval.note,
            }),
        )
        .await
    }
}
