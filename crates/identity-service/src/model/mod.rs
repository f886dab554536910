//! What the service records beside the domain's own entities: audit entries,
//! queued messages, single-use codes, API clients, job reports, operators and
//! approvals, service providers. One file per subject.

mod api_clients;
mod audit;
mod federation;
mod job_runs;
mod one_time_codes;
mod operators;
mod outbox;
mod service_providers;

pub use api_clients::{ApiClient, ApiScope};
pub use audit::{AuditQuery, AuditRecord};
pub use federation::{FederationClient, HeldTrustMark, TrustAnchor};
pub use job_runs::JobRun;
pub use one_time_codes::{CodePurpose, OneTimeCode};
pub use operators::{Approval, ApprovalState, Operator, OperatorRole};
pub use outbox::{OutboxMessage, OutboxStatus, SECRET_PARAMS, redact_secrets};
pub use service_providers::{ClientAuth, ServiceProvider};
