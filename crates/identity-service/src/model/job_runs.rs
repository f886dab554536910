//! The report of a calendar job's run.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The report of one calendar job's run: what it did, by outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRun {
    /// Unique id.
    pub id: Uuid,
    /// The job's name (`suspension_deadlines`, `inactivity`, ...).
    pub job: String,
    /// The node that ran it (host name and process id).
    pub node: String,
    /// The instant the job acted as of (the clock, or `--as-of`).
    pub as_of: DateTime<Utc>,
    /// When the run started (the service's clock).
    pub started_at: DateTime<Utc>,
    /// When it ended: the start plus the time it took.
    pub finished_at: DateTime<Utc>,
    /// Whether it was a dry run (nothing kept).
    pub dry_run: bool,
    /// What it did: outcome name -> how many (`revoked`, `notices_sent`, ...).
    pub counts: std::collections::BTreeMap<String, u64>,
    /// Why it stopped early, if it did (the counts say what was done before).
    pub error: Option<String>,
}
