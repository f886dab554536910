//! Service providers registered for OpenID Connect, and how they authenticate.

use chrono::{DateTime, Utc};
use uuid::Uuid;

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
