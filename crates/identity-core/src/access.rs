//! Access records: the holder's last accesses (every sign-in to the selfcare and
//! to a service provider, with its outcome), kept 24 months.

use chrono::{DateTime, Utc};

use crate::credentials::CredentialLevel;
use crate::ids::{HolderId, IdentityId};

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
