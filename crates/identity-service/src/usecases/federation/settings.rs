//! How the provider takes part in its federation: who it says it is, where its
//! superiors are, which trust marks it asks relying parties for, and the
//! bounds on what it fetches while resolving a trust chain.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A trust anchor set in the configuration file (beside those the operators
/// add with the CLI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredAnchor {
    /// Its entity id (exact string).
    pub entity_id: String,
    /// Its federation JWKS (`{"keys": [...]}`).
    pub jwks: Value,
}

/// A trust mark held, set in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredTrustMark {
    /// The trust mark's identifier.
    pub id: String,
    /// The signed trust mark.
    pub trust_mark: String,
}

/// The bounds on trust-chain resolution: every fetch is an attack surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchLimits {
    /// Time to open a connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time for a whole fetch, in milliseconds.
    pub timeout_ms: u64,
    /// Largest statement accepted, in bytes.
    pub max_bytes: usize,
    /// Most intermediates between a relying party and its trust anchor (the
    /// anchor's own `max_path_length` may lower it).
    pub max_path_length: usize,
    /// Most superiors tried per entity (`authority_hints`).
    pub max_authority_hints: usize,
    /// Most fetches for one resolution.
    pub max_fetches: usize,
    /// Plain http to loopback addresses (127.0.0.0/8, ::1, `localhost`): for a
    /// local federation in development and tests only.
    pub allow_http_loopback: bool,
    /// Requests to private, loopback and link-local addresses: off, so a
    /// relying party cannot make the provider probe its own network.
    pub allow_private_addresses: bool,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            connect_timeout_ms: 2_000,
            timeout_ms: 5_000,
            max_bytes: 64 * 1024,
            max_path_length: 2,
            max_authority_hints: 4,
            max_fetches: 16,
            allow_http_loopback: false,
            allow_private_addresses: false,
        }
    }
}

impl FetchLimits {
    /// The connect timeout.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The timeout of a whole fetch.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// The provider's place in its federation (docs/federation.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// The provider's entity id; default: its issuer (the public URL).
    pub entity_id: Option<String>,
    /// `federation_entity.organization_name`.
    pub organization_name: String,
    /// `federation_entity.homepage_uri`; default: the public URL.
    pub homepage_uri: Option<String>,
    /// `federation_entity.policy_uri`; default: the public URL's `/privacy`.
    pub policy_uri: Option<String>,
    /// `federation_entity.logo_uri` (SVG); default: the provider's own logo.
    pub logo_uri: Option<String>,
    /// `federation_entity.contacts` (the institutional PEC address).
    pub contacts: Vec<String>,
    /// The superiors that issue statements about the provider; default: the
    /// trust anchors.
    pub authority_hints: Vec<String>,
    /// Trust anchors from the configuration file.
    pub trust_anchors: Vec<ConfiguredAnchor>,
    /// Trust marks held, from the configuration file.
    pub trust_marks: Vec<ConfiguredTrustMark>,
    /// Trust mark ids of which a relying party must present at least one
    /// (valid, from an issuer its anchor accepts); empty: none asked.
    pub required_trust_marks: Vec<String>,
    /// How long the entity configuration is valid, in seconds.
    pub entity_configuration_lifetime_secs: u64,
    /// The longest a resolved relying party is kept before it is resolved
    /// again, even if its chain lives longer, in seconds.
    pub max_cache_secs: u64,
    /// The bounds on fetching.
    pub fetch: FetchLimits,
}

impl Default for FederationConfig {
    fn default() -> Self {
        FederationConfig {
            entity_id: None,
            organization_name: "Identità digitale".into(),
            homepage_uri: None,
            policy_uri: None,
            logo_uri: None,
            contacts: Vec::new(),
            authority_hints: Vec::new(),
            trust_anchors: Vec::new(),
            trust_marks: Vec::new(),
            required_trust_marks: Vec::new(),
            entity_configuration_lifetime_secs: 86_400,
            max_cache_secs: 86_400,
            fetch: FetchLimits::default(),
        }
    }
}
