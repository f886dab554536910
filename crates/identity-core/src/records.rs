//! Records kept about a holder: access records (last accesses), correction
//! requests for immutable data, and orders.

use chrono::{DateTime, Utc};

use crate::credentials::CredentialLevel;
use crate::i18n::{Lang, Localized, pick};
use crate::ids::{CorrectionId, HolderId, IdentityId, OrderId};

/// The outcome of a sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessOutcome {
    /// Signed in.
    Ok,
    /// Wrong credentials, blocked level, suspended identity...
    Failed,
    /// The user refused to release the attributes.
    ConsentDenied,
}

impl AccessOutcome {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            AccessOutcome::Ok => "ok",
            AccessOutcome::Failed => "failed",
            AccessOutcome::ConsentDenied => "consent_denied",
        }
    }

    /// Inverse of [`AccessOutcome::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<AccessOutcome> {
        match code {
            "ok" => Some(AccessOutcome::Ok),
            "failed" => Some(AccessOutcome::Failed),
            "consent_denied" => Some(AccessOutcome::ConsentDenied),
            _ => None,
        }
    }
}

/// One line of the holder's "last accesses": a sign-in to the selfcare or to a
/// service provider. Kept 24 months.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessRecord {
    /// The holder signing in.
    pub holder_id: HolderId,
    /// The identity used, when the sign-in was with a digital identity.
    pub identity_id: Option<IdentityId>,
    /// When.
    pub at: DateTime<Utc>,
    /// `selfcare`, `customer_area`, or the service provider's client id.
    pub service: String,
    /// The credential level performed (or attempted).
    pub level: CredentialLevel,
    /// The credential used (`password`, `totp`, `webauthn:<name>`...).
    pub credential: String,
    /// Outcome.
    pub outcome: AccessOutcome,
    /// Client address as seen by the server.
    pub client_ip: Option<String>,
}

/// Where a correction request stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CorrectionState {
    /// Waiting for an operator.
    Open,
    /// Approved and applied.
    Approved {
        /// Operator.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Rejected.
    Rejected {
        /// Operator.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// Why (shown to the holder).
        reason: String,
    },
}

/// Which immutable field a correction request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectableField {
    /// Given name.
    GivenName,
    /// Family name.
    FamilyName,
    /// Tax code.
    TaxCode,
    /// VAT number.
    VatNumber,
    /// Company name.
    CompanyName,
    /// Date of birth.
    BirthDate,
    /// Place of birth.
    BirthPlace,
}

/// A request to fix a typo in an immutable holder field, decided by an operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionRequest {
    /// Id.
    pub id: CorrectionId,
    /// The holder.
    pub holder_id: HolderId,
    /// Which field.
    pub field: CorrectableField,
    /// The value the holder says is right.
    pub requested_value: String,
    /// The holder's explanation.
    pub reason: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Where it stands.
    pub state: CorrectionState,
}

/// An illegal decision on a correction request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    /// Already approved or rejected.
    #[error("the correction request was already decided")]
    AlreadyDecided,
    /// The reason or value is empty.
    #[error("the field {0} is required")]
    Required(&'static str),
}

impl Localized for CorrectionError {
    fn message(&self, lang: Lang) -> String {
        match self {
            CorrectionError::AlreadyDecided => pick(
                lang,
                "La richiesta di rettifica è già stata decisa.".into(),
                "The correction request was already decided.".into(),
            ),
            CorrectionError::Required(_) => pick(
                lang,
                "Campo obbligatorio.".into(),
                "This field is required.".into(),
            ),
        }
    }
}

impl CorrectionRequest {
    /// Opens a request.
    pub fn open(
        id: CorrectionId,
        holder_id: HolderId,
        field: CorrectableField,
        requested_value: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<CorrectionRequest, CorrectionError> {
        let requested_value = requested_value.trim();
        let reason = reason.trim();
        if requested_value.is_empty() {
            return Err(CorrectionError::Required("requested_value"));
        }
        if reason.is_empty() {
            return Err(CorrectionError::Required("reason"));
        }
        Ok(CorrectionRequest {
            id,
            holder_id,
            field,
            requested_value: requested_value.to_owned(),
            reason: reason.to_owned(),
            opened_at: now,
            state: CorrectionState::Open,
        })
    }

    /// Approves an open request.
    pub fn approve(&mut self, operator: &str, now: DateTime<Utc>) -> Result<(), CorrectionError> {
        if self.state != CorrectionState::Open {
            return Err(CorrectionError::AlreadyDecided);
        }
        self.state = CorrectionState::Approved {
            by: operator.to_owned(),
            at: now,
        };
        Ok(())
    }

    /// Rejects an open request with a reason for the holder.
    pub fn reject(
        &mut self,
        operator: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CorrectionError> {
        if self.state != CorrectionState::Open {
            return Err(CorrectionError::AlreadyDecided);
        }
        if reason.trim().is_empty() {
            return Err(CorrectionError::Required("reason"));
        }
        self.state = CorrectionState::Rejected {
            by: operator.to_owned(),
            at: now,
            reason: reason.trim().to_owned(),
        };
        Ok(())
    }
}

/// What an order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A digital identity request.
    DigitalIdentity,
    /// Renewal of a service.
    Renewal,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Placed, being processed.
    Open,
    /// Fulfilled.
    Completed,
    /// Cancelled.
    Cancelled,
}

/// An order tied to a holder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// Holder.
    pub holder_id: HolderId,
    /// What for.
    pub kind: OrderKind,
    /// State.
    pub state: OrderState,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
}

impl Order {
    /// Moves to a new state; completed and cancelled orders are final.
    pub fn set_state(&mut self, state: OrderState) -> Result<(), CorrectionError> {
        if self.state != OrderState::Open {
            return Err(CorrectionError::AlreadyDecided);
        }
        self.state = state;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_is_decided_once() {
        let now = DateTime::<Utc>::MIN_UTC;
        let holder = HolderId::from_uuid(uuid::Uuid::nil());
        let mut c = CorrectionRequest::open(
            CorrectionId::from_uuid(uuid::Uuid::nil()),
            holder,
            CorrectableField::FamilyName,
            "Rossi",
            "typo at registration",
            now,
        )
        .unwrap();
        assert_eq!(
            c.reject("op", " ", now),
            Err(CorrectionError::Required("reason"))
        );
        c.approve("op", now).unwrap();
        assert_eq!(c.approve("op", now), Err(CorrectionError::AlreadyDecided));
    }
}
