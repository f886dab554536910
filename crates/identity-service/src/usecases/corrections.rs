//! Correction requests: the holder asks for a typo in an identity field to be
//! fixed; an operator approves (the fix is applied) or rejects it; the holder is
//! told by email either way. Every step is audited under who took it.

use identity_core::correction::{CorrectableField, CorrectionError, CorrectionRequest};
use identity_core::identity::Actor;
use identity_core::{CorrectionId, HolderId};
use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};

use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder};
use crate::usecases::identity::live_identity;

/// Most requests a holder may have waiting at once.
pub const MAX_OPEN_REQUESTS: usize = 5;

/// Why a correction request could not be opened or decided.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionOpError {
    /// The request breaks a rule (see the inner error).
    #[error(transparent)]
    Refused(#[from] CorrectionError),
    /// The field name is not one of the correctable fields.
    #[error("unknown field")]
    UnknownField,
    /// The holder has [`MAX_OPEN_REQUESTS`] requests waiting.
    #[error("too many open requests")]
    TooMany,
    /// The field is part of a digital identity's proofed data, and that identity
    /// is not revoked: changing it would change proofed data without proofing.
    #[error("the field belongs to a live digital identity")]
    LiveIdentity,
    /// No such holder or request.
    #[error("not found")]
    NotFound,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(CorrectionOpError);

/// Whether `field` is part of a person's proofed identity data.
fn proofed(field: CorrectableField) -> bool {
    matches!(
        field,
        CorrectableField::GivenName
            | CorrectableField::FamilyName
            | CorrectableField::TaxCode
            | CorrectableField::BirthDate
            | CorrectableField::BirthPlace
            | CorrectableField::Sex
    )
}

/// Refuses a change of proofed data while the holder has a live identity.
async fn refuse_if_proofed(
    tx: &mut dyn crate::ports::StoreTx,
    holder: HolderId,
    field: CorrectableField,
) -> Result<(), CorrectionOpError> {
    if proofed(field) && live_identity(tx, holder).await?.is_some() {
        return Err(CorrectionOpError::LiveIdentity);
    }
    Ok(())
}

impl Service {
    /// Opens a correction request for `field` (its code, e.g. `given_name`).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn open_correction(
        &self,
        holder_id: HolderId,
        field: &str,
        requested_value: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<CorrectionRequest, CorrectionOpError> {
        let field = CorrectableField::from_code(field).ok_or(CorrectionOpError::UnknownField)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx
            .holder_for_update(holder_id)
            .await
            .or_missing(CorrectionOpError::NotFound)?;
        refuse_if_proofed(tx.as_mut(), holder_id, field).await?;
        let open = tx
            .corrections_of(holder_id)
            .await?
            .iter()
            .filter(|c| c.state.code() == "open")
            .count();
        if open >= MAX_OPEN_REQUESTS {
            return Err(CorrectionOpError::TooMany);
        }
        let request = CorrectionRequest::open(
            CorrectionId::from_uuid(Uuid::now_v7()),
            &holder,
            field,
            requested_value,
            reason,
            now,
        )?;
        tx.insert_correction(&request).await?;
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "correction.opened",
            Some(holder_id),
            json!({ "id": request.id, "field": field.code(), "requested_value": request.requested_value }),
        )
        .await?;
        tx.commit().await?;
        Ok(request)
    }

    /// The holder's correction requests, newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn corrections_of(
        &self,
        holder_id: HolderId,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.corrections_of(holder_id).await
    }

    /// Correction requests for operators, oldest first (`open`, `approved`,
    /// `rejected`, or all).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn list_corrections(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.corrections(state, limit).await
    }

    /// Approves a request: the corrected holder is stored, the decision audited
    /// under the operator, and the holder told by email.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), correction = %id))]
    pub async fn approve_correction(
        &self,
        id: CorrectionId,
        operator: &Actor,
    ) -> Result<CorrectionRequest, CorrectionOpError> {
        let mut tx = self.store.begin().await?;
        let request = self
            .approve_correction_in(tx.as_mut(), id, operator)
            .await?;
        tx.commit().await?;
        Ok(request)
    }

    /// [`Service::approve_correction`] inside the caller's transaction (a
    /// confirmed two-person approval and its action commit together).
    pub(crate) async fn approve_correction_in(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        id: CorrectionId,
        operator: &Actor,
    ) -> Result<CorrectionRequest, CorrectionOpError> {
        let now = self.clock.now();
        // The request, then its holder (decisions are the only users of request
        // locks, and always take them in this order).
        let mut request = tx
            .correction_for_update(id)
            .await
            .or_missing(CorrectionOpError::NotFound)?;
        let holder = tx.holder_for_update(request.holder_id).await?;
        refuse_if_proofed(tx, request.holder_id, request.field).await?;
        let corrected = request.approve(&holder, &operator.to_audit_string(), now)?;
        tx.update_holder_identity(&corrected).await?;
        tx.update_correction(&request).await?;
        self.record_decision(tx, &request, &corrected, operator, now)
            .await?;
        Ok(request)
    }

    /// Rejects a request with a reason for the holder.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), correction = %id))]
    pub async fn reject_correction(
        &self,
        id: CorrectionId,
        reason: &str,
        operator: &Actor,
    ) -> Result<CorrectionRequest, CorrectionOpError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut request = tx
            .correction_for_update(id)
            .await
            .or_missing(CorrectionOpError::NotFound)?;
        let mut holder = tx.holder_for_update(request.holder_id).await?;
        request.reject(&operator.to_audit_string(), reason, now)?;
        tx.update_correction(&request).await?;
        if request.field == CorrectableField::TaxCodeAgreement {
            // The data as declared was not confirmed: the holder must correct it.
            holder.set_data_review(identity_core::DataReview::Rejected);
            tx.update_holder_identity(&holder).await?;
        }
        self.record_decision(tx.as_mut(), &request, &holder, operator, now)
            .await?;
        tx.commit().await?;
        Ok(request)
    }

    async fn record_decision(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        request: &CorrectionRequest,
        holder: &identity_core::Holder,
        operator: &Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        let decision = request.state.code();
        let reason = match &request.state {
            identity_core::CorrectionState::Rejected { reason, .. } => reason.clone(),
            _ => String::new(),
        };
        audit(
            tx,
            now,
            &operator.to_audit_string(),
            &format!("correction.{decision}"),
            Some(request.holder_id),
            json!({
                "id": request.id,
                "field": request.field.code(),
                "old_value": request.current_value,
                "requested_value": request.requested_value,
                "reason": reason,
            }),
        )
        .await?;
        mail_holder(
            tx,
            holder,
            now,
            "correction_decided",
            json!({
                "field": request.field.code(),
                "value": request.requested_value,
                "decision": decision,
                "reason": reason,
            }),
        )
        .await
    }
}
