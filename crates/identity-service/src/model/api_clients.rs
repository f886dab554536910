//! Integrating systems that call the JSON API, and their scopes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

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
