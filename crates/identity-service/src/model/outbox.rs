//! Messages (mail and SMS) queued in the outbox, and the secrets they carry until sent.

use chrono::{DateTime, Utc};
use identity_core::Lang;
use uuid::Uuid;

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

/// Parameters of queued mail that are secrets (single-use codes and the links
/// carrying them): kept only until the mail is sent.
pub const SECRET_PARAMS: [&str; 2] = ["code", "link"];

/// `params` with every [`SECRET_PARAMS`] value replaced by `"[redacted]"` (once the
/// mail is sent, or wherever parameters are shown to operators).
#[must_use]
pub fn redact_secrets(params: &serde_json::Value) -> serde_json::Value {
    let mut out = params.clone();
    if let Some(map) = out.as_object_mut() {
        for key in SECRET_PARAMS {
            if let Some(v) = map.get_mut(key) {
                *v = serde_json::Value::String("[redacted]".into());
            }
        }
    }
    out
}
