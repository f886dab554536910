//! The audit log's entries and the query that reads them.

use chrono::{DateTime, Utc};
use identity_core::HolderId;
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
    /// The HTTP request that caused it (its `x-request-id`), to follow one
    /// request from the log to its records; `None` outside a request (the CLI,
    /// the calendar jobs).
    pub request_id: Option<String>,
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
    /// Only entries whose event starts with this (`identity.` for every identity event).
    pub event_prefix: Option<String>,
    /// Only entries caused by this request.
    pub request_id: Option<String>,
    /// Only entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub to: Option<DateTime<Utc>>,
    /// At most this many; 0: no limit. When more match, the newest are left out,
    /// or with `latest` the oldest.
    pub limit: u32,
    /// Keep the newest `limit` entries rather than the oldest (still returned
    /// oldest first).
    pub latest: bool,
}
