//! Operator accounts, their roles, and two-person approvals.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What an operator may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// Reads: holders, identities, accesses, the audit log, job status.
    Viewer,
    /// Also changes holders, logins, identities and orders, runs jobs, imports.
    Operator,
    /// Also manages operators, API clients, service providers and the schema.
    Admin,
}

impl OperatorRole {
    /// Every role, least powerful first.
    pub const ALL: [OperatorRole; 3] = [
        OperatorRole::Viewer,
        OperatorRole::Operator,
        OperatorRole::Admin,
    ];

    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            OperatorRole::Viewer => "viewer",
            OperatorRole::Operator => "operator",
            OperatorRole::Admin => "admin",
        }
    }

    /// Inverse of [`OperatorRole::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<OperatorRole> {
        OperatorRole::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// An operator account of the admin CLI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Operator {
    /// Unique id.
    pub id: Uuid,
    /// Unique name, recorded in the audit log as `operator:<name>`.
    pub name: String,
    /// What it may do.
    pub role: OperatorRole,
    /// Who added it (`operator:<name>`, or `bootstrap` for the first).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Set once disabled: its token stops working.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Last authenticated command.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Where a two-person decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Waiting for a second operator.
    Pending,
    /// Confirmed by a second operator and carried out.
    Confirmed,
    /// Rejected by a second operator.
    Rejected,
    /// Confirmed, but carrying it out failed (the note says why).
    Failed,
}

impl ApprovalState {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Confirmed => "confirmed",
            ApprovalState::Rejected => "rejected",
            ApprovalState::Failed => "failed",
        }
    }

    /// Inverse of [`ApprovalState::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<ApprovalState> {
        [
            ApprovalState::Pending,
            ApprovalState::Confirmed,
            ApprovalState::Rejected,
            ApprovalState::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A decision one operator asked for and a second must confirm.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Approval {
    /// Unique id, given to the second operator.
    pub id: Uuid,
    /// What: `identity.verify` or `correction.approve`.
    pub kind: String,
    /// What it is about (an identity or correction id).
    pub subject: String,
    /// Everything needed to carry it out.
    pub payload: serde_json::Value,
    /// The first operator's name.
    pub requested_by: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Where it stands.
    pub state: ApprovalState,
    /// The second operator's name.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The rejection reason or the failure.
    pub note: Option<String>,
}
