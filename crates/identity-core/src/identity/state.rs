//! The states of a digital identity and the reasons and causes that move it.

use chrono::{DateTime, Utc};

/// Why an identity is suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionReason {
    /// The holder asked for it from the selfcare panel.
    HolderRequest,
    /// Emergency block, requested without username and password.
    EmergencyBlock,
    /// An operator suspects fraud.
    SuspectedFraud,
    /// The identity document expired; lasts until a new one is recorded.
    DocumentExpired,
    /// The email or phone is also used by another identity; 30 days to fix.
    SharedContactData,
}

impl SuspensionReason {
    /// Whether this suspension runs to the 30-day deadline; a suspension for an
    /// expired document lasts until a new document is recorded instead.
    #[must_use]
    pub fn has_deadline(self) -> bool {
        !matches!(self, SuspensionReason::DocumentExpired)
    }

    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SuspensionReason::HolderRequest => "holder_request",
            SuspensionReason::EmergencyBlock => "emergency_block",
            SuspensionReason::SuspectedFraud => "suspected_fraud",
            SuspensionReason::DocumentExpired => "document_expired",
            SuspensionReason::SharedContactData => "shared_contact_data",
        }
    }

    /// Inverse of [`SuspensionReason::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<SuspensionReason> {
        [
            SuspensionReason::HolderRequest,
            SuspensionReason::EmergencyBlock,
            SuspensionReason::SuspectedFraud,
            SuspensionReason::DocumentExpired,
            SuspensionReason::SharedContactData,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// Why an identity was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationCause {
    /// The holder asked for it.
    HolderRequest,
    /// The holder died (recorded by an operator).
    Death,
    /// The legal person was dissolved (recorded by an operator).
    Dissolution,
    /// Unlawful use, after a police report (operator).
    UnlawfulUse,
    /// The contract with the provider ended.
    EndOfContract,
    /// 24 months without any use.
    Inactivity,
    /// The 30-day suspension ended with a police report recorded (DPCM 24/10/2014 art. 9).
    SuspensionDeadlineWithReport,
    /// Contact data shared with another identity was not fixed within 30 days.
    SharedContactDataNotFixed,
}

impl RevocationCause {
    /// Every cause.
    pub const ALL: [RevocationCause; 8] = [
        RevocationCause::HolderRequest,
        RevocationCause::Death,
        RevocationCause::Dissolution,
        RevocationCause::UnlawfulUse,
        RevocationCause::EndOfContract,
        RevocationCause::Inactivity,
        RevocationCause::SuspensionDeadlineWithReport,
        RevocationCause::SharedContactDataNotFixed,
    ];

    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            RevocationCause::HolderRequest => "holder_request",
            RevocationCause::Death => "death",
            RevocationCause::Dissolution => "dissolution",
            RevocationCause::UnlawfulUse => "unlawful_use",
            RevocationCause::EndOfContract => "end_of_contract",
            RevocationCause::Inactivity => "inactivity",
            RevocationCause::SuspensionDeadlineWithReport => "suspension_deadline_with_report",
            RevocationCause::SharedContactDataNotFixed => "shared_contact_data_not_fixed",
        }
    }

    /// Inverse of [`RevocationCause::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<RevocationCause> {
        RevocationCause::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Where an identity is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityState {
    /// Requested; waiting for the identity proofing.
    Pending,
    /// Usable.
    Active,
    /// Not usable until reactivated or revoked.
    Suspended {
        /// Why.
        reason: SuspensionReason,
        /// Since when.
        since: DateTime<Utc>,
        /// The 30-day deadline (end of that day in Europe/Rome); absent when the
        /// suspension lasts until something is fixed, or once the deadline passed
        /// and the policy kept it suspended awaiting a verified reactivation.
        deadline: Option<DateTime<Utc>>,
    },
    /// Final.
    Revoked {
        /// Why.
        cause: RevocationCause,
        /// When.
        at: DateTime<Utc>,
    },
}

impl IdentityState {
    /// Stable storage code of the variant.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            IdentityState::Pending => "pending",
            IdentityState::Active => "active",
            IdentityState::Suspended { .. } => "suspended",
            IdentityState::Revoked { .. } => "revoked",
        }
    }

    /// Whether the identity can sign in.
    #[must_use]
    pub fn is_active(&self) -> bool {
        matches!(self, IdentityState::Active)
    }

    /// Whether the state is final.
    #[must_use]
    pub fn is_revoked(&self) -> bool {
        matches!(self, IdentityState::Revoked { .. })
    }
}
