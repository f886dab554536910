//! The events identity transitions return: who did what, when and why.

use chrono::{DateTime, Utc};

use super::proofing::ProofingMethod;
use super::state::{RevocationCause, SuspensionReason};
use crate::ids::{HolderId, IdentityId};

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The holder, signed in (or proving control through an emergency procedure).
    Holder(HolderId),
    /// An operator, by operator name.
    Operator(String),
    /// A scheduled job, by job name.
    System(String),
    /// An integrating system calling the JSON API, by client name.
    Api(String),
}

impl Actor {
    /// A compact text form for audit records: `holder:<id>`, `operator:<name>`, `system:<job>`.
    #[must_use]
    pub fn to_audit_string(&self) -> String {
        match self {
            Actor::Holder(id) => format!("holder:{id}"),
            Actor::Operator(name) => format!("operator:{name}"),
            Actor::System(job) => format!("system:{job}"),
            Actor::Api(client) => format!("api:{client}"),
        }
    }

    /// Parses [`Actor::to_audit_string`].
    #[must_use]
    pub fn from_audit_string(s: &str) -> Option<Actor> {
        let (kind, rest) = s.split_once(':')?;
        match kind {
            "holder" => rest.parse().ok().map(Actor::Holder),
            "operator" => Some(Actor::Operator(rest.to_owned())),
            "system" => Some(Actor::System(rest.to_owned())),
            "api" => Some(Actor::Api(rest.to_owned())),
            _ => None,
        }
    }
}

/// What happened to an identity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum IdentityEventKind {
    /// The holder requested the identity.
    Requested,
    /// An operator recorded the proofing; the identity became active.
    Verified {
        /// How.
        method: ProofingMethod,
    },
    /// Suspended.
    Suspended {
        /// Why.
        reason: SuspensionReason,
        /// Until when a decision is due.
        deadline: Option<DateTime<Utc>>,
    },
    /// Active again.
    Reactivated,
    /// Revoked (final).
    Revoked {
        /// Why.
        cause: RevocationCause,
    },
    /// The 30-day deadline passed without a decision; the identity stays
    /// suspended until a verified reactivation (the default policy).
    DeadlinePassedKeptSuspended,
    /// A police report was recorded.
    PoliceReportRecorded,
    /// A new identity document was recorded.
    DocumentRecorded,
}

impl IdentityEventKind {
    /// The stable name used in the audit log (`identity.suspended`, ...).
    #[must_use]
    pub fn audit_name(&self) -> &'static str {
        match self {
            IdentityEventKind::Requested => "identity.requested",
            IdentityEventKind::Verified { .. } => "identity.verified",
            IdentityEventKind::Suspended { .. } => "identity.suspended",
            IdentityEventKind::Reactivated => "identity.reactivated",
            IdentityEventKind::Revoked { .. } => "identity.revoked",
            IdentityEventKind::DeadlinePassedKeptSuspended => "identity.deadline_passed",
            IdentityEventKind::PoliceReportRecorded => "identity.police_report_recorded",
            IdentityEventKind::DocumentRecorded => "identity.document_recorded",
        }
    }
}

/// An identity transition: to audit and notify.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityEvent {
    /// Which identity.
    pub identity_id: IdentityId,
    /// Who.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// What and why.
    #[serde(flatten)]
    pub kind: IdentityEventKind,
}
