//! Records the service writes beside domain changes: audit entries and queued mail.

use chrono::{DateTime, Utc};
use identity_core::{HolderId, Lang};
use uuid::Uuid;

/// One append-only audit entry: who did what to whom, when, with details.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRecord {
    /// Unique id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: `holder:<id>`, `operator:<name>`, `system:<job>`, or `anonymous` (with the client address in details).
    pub actor: String,
    /// What: a stable dotted name such as `holder.registered` or `identity.suspended`.
    pub event: String,
    /// The holder concerned, if any.
    pub holder_id: Option<HolderId>,
    /// Details as JSON (never secrets).
    pub details: serde_json::Value,
}

/// A filter on the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries about this holder.
    pub holder_id: Option<HolderId>,
    /// Only entries with this event name.
    pub event: Option<String>,
    /// Only entries by this actor.
    pub actor: Option<String>,
    /// At most this many (newest are dropped first when more match).
    pub limit: u32,
}

/// Delivery state of a queued mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be sent.
    Pending,
    /// Handed to the mail server.
    Sent,
    /// Gave up after repeated failures.
    Failed,
}

impl OutboxStatus {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    /// Inverse of [`OutboxStatus::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<OutboxStatus> {
        match code {
            "pending" => Some(OutboxStatus::Pending),
            "sent" => Some(OutboxStatus::Sent),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

/// A mail waiting in the durable outbox. The template and its parameters are
/// stored, not the rendered text, so the mail adapter renders in the recipient's
/// language at delivery. Parameters never hold passwords.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutboxMessage {
    /// Unique id.
    pub id: Uuid,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Recipient address.
    pub to: String,
    /// Language to render in.
    pub lang: Lang,
    /// Template name, e.g. `registration_confirmed`.
    pub template: String,
    /// Template parameters.
    pub params: serde_json::Value,
    /// Delivery state.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
}
