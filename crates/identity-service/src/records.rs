//! Records the service writes beside domain changes: audit entries and queued mail.

use chrono::{DateTime, Utc};
use identity_core::{HolderId, Lang, LoginNumber};
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
    /// Only entries whose event starts with this (`identity.` for every identity event).
    pub event_prefix: Option<String>,
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

/// What a single-use code sent by email proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// The reference email given at registration reaches the holder.
    VerifyEmail,
    /// A new reference email (the code's target) reaches the holder.
    ChangeEmail,
    /// The holder of the login may choose a new password.
    ResetPassword,
    /// The mobile phone (the code's target) reaches the holder: sent by SMS when
    /// a digital identity is requested or the authenticator is re-enrolled.
    VerifyPhone,
    /// Blocks the holder's identity in an emergency (sent to the reference email).
    EmergencyBlock,
    /// Confirms the reactivation of a suspended identity.
    ReactivateIdentity,
    /// Confirms the holder's request to revoke its identity.
    RevokeIdentity,
    /// Proves control of the reference email to get a new emergency code.
    NewEmergencyCode,
    /// Unblocks level 2 after too many wrong one-time codes.
    UnblockLevel2,
    /// Proves control of the reference email to re-enrol the authenticator.
    ReenrolAuthenticator,
    /// The holder of an identity's username, who gave the emergency code, may
    /// choose a new password.
    ResetIdentityPassword,
    /// A new mobile phone (the code's target) reaches the holder of an identity.
    ChangePhone,
}

impl CodePurpose {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            CodePurpose::VerifyEmail => "verify_email",
            CodePurpose::ChangeEmail => "change_email",
            CodePurpose::ResetPassword => "reset_password",
            CodePurpose::VerifyPhone => "verify_phone",
            CodePurpose::EmergencyBlock => "emergency_block",
            CodePurpose::ReactivateIdentity => "reactivate_identity",
            CodePurpose::RevokeIdentity => "revoke_identity",
            CodePurpose::NewEmergencyCode => "new_emergency_code",
            CodePurpose::UnblockLevel2 => "unblock_level2",
            CodePurpose::ReenrolAuthenticator => "reenrol_authenticator",
            CodePurpose::ResetIdentityPassword => "reset_identity_password",
            CodePurpose::ChangePhone => "change_phone",
        }
    }

    /// Inverse of [`CodePurpose::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<CodePurpose> {
        [
            CodePurpose::VerifyEmail,
            CodePurpose::ChangeEmail,
            CodePurpose::ResetPassword,
            CodePurpose::VerifyPhone,
            CodePurpose::EmergencyBlock,
            CodePurpose::ReactivateIdentity,
            CodePurpose::RevokeIdentity,
            CodePurpose::NewEmergencyCode,
            CodePurpose::UnblockLevel2,
            CodePurpose::ReenrolAuthenticator,
            CodePurpose::ResetIdentityPassword,
            CodePurpose::ChangePhone,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }

    /// How long a code of this purpose stays usable.
    #[must_use]
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            CodePurpose::VerifyEmail | CodePurpose::ChangeEmail => chrono::Duration::hours(48),
            CodePurpose::ResetPassword
            | CodePurpose::EmergencyBlock
            | CodePurpose::ReactivateIdentity
            | CodePurpose::RevokeIdentity
            | CodePurpose::NewEmergencyCode
            | CodePurpose::UnblockLevel2
            | CodePurpose::ReenrolAuthenticator
            | CodePurpose::ResetIdentityPassword => chrono::Duration::minutes(30),
            CodePurpose::VerifyPhone | CodePurpose::ChangePhone => chrono::Duration::minutes(15),
        }
    }
}

/// A single-use code sent by email, stored by the hash of its text only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    /// SHA-256 of the normalized code.
    pub code_hash: String,
    /// What it proves.
    pub purpose: CodePurpose,
    /// The holder it was sent to.
    pub holder_id: HolderId,
    /// The login a password reset is for.
    pub login: Option<LoginNumber>,
    /// The new address an email change is for.
    pub target: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// After this it is refused.
    pub expires_at: DateTime<Utc>,
    /// When it was used; a used code is refused.
    pub used_at: Option<DateTime<Utc>>,
}

impl OneTimeCode {
    /// Whether the code can still be used at `now` for `purpose`.
    #[must_use]
    pub fn usable(&self, purpose: CodePurpose, now: DateTime<Utc>) -> bool {
        self.purpose == purpose && self.used_at.is_none() && now < self.expires_at
    }
}

/// What an API client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ApiScope {
    /// Read holders, their logins and correction requests.
    #[serde(rename = "holders:read")]
    HoldersRead,
    /// Register holders, create logins, change secondary attributes, open
    /// correction requests.
    #[serde(rename = "holders:write")]
    HoldersWrite,
}

impl ApiScope {
    /// Every scope.
    pub const ALL: [ApiScope; 2] = [ApiScope::HoldersRead, ApiScope::HoldersWrite];

    /// The scope's name (`holders:read`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ApiScope::HoldersRead => "holders:read",
            ApiScope::HoldersWrite => "holders:write",
        }
    }

    /// Inverse of [`ApiScope::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<ApiScope> {
        ApiScope::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// An integrating system allowed to call the JSON API with a bearer token (stored
/// hashed, shown once at creation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiClient {
    /// Id.
    pub id: Uuid,
    /// Unique name, the actor in the audit log (`api:<name>`).
    pub name: String,
    /// What it may do.
    pub scopes: Vec<ApiScope>,
    /// The operator who registered it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked client is refused.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Its last call.
    pub last_used_at: Option<DateTime<Utc>>,
}

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

/// How a service provider authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// A JWT signed with a key of the provider's JWKS (the SPID profile).
    PrivateKeyJwt,
    /// HTTP Basic with a client secret: for development only.
    ClientSecretBasic,
}

impl ClientAuth {
    /// Stable storage code (the OAuth name).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
            ClientAuth::ClientSecretBasic => "client_secret_basic",
        }
    }

    /// Inverse of [`ClientAuth::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<ClientAuth> {
        [ClientAuth::PrivateKeyJwt, ClientAuth::ClientSecretBasic]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// A service provider (OpenID Connect relying party) registered by an admin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServiceProvider {
    /// Unique id.
    pub id: Uuid,
    /// The OAuth `client_id` (in the SPID profile, the provider's URL).
    pub client_id: String,
    /// The name shown to holders on the consent screen and in their accesses.
    pub name: String,
    /// Where authorization responses may be sent (exact match).
    pub redirect_uris: Vec<String>,
    /// How it authenticates at the token endpoint.
    pub auth_method: ClientAuth,
    /// Its public keys, inline (a JWKS document), for `private_key_jwt`.
    pub jwks: Option<serde_json::Value>,
    /// Or where to fetch them.
    pub jwks_uri: Option<String>,
    /// The attributes it may ask for (`given_name`, `family_name`, `email`, `fiscal_number`, ...).
    pub attributes: Vec<String>,
    /// The SPID levels (1, 2, 3) it may ask for.
    pub allowed_levels: Vec<u8>,
    /// Who registered it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Set once disabled: no more sign-ins.
    pub disabled_at: Option<DateTime<Utc>>,
}
