//! What the provider keeps of the OpenID Federation it belongs to
//! (docs/federation.md): the trust anchors it recognises relying parties
//! through, the trust marks it holds, and the relying parties registered
//! automatically through a trust chain.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A trust anchor, with the federation keys its statements are checked with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrustAnchor {
    /// Its entity id, compared as an exact string (trailing slash included).
    pub entity_id: String,
    /// Its federation JWKS (`{"keys": [...]}`), as the operator configured it:
    /// the chain's last statement must verify with these keys, not only with
    /// the ones it publishes about itself.
    pub jwks: Value,
    /// Who added it (`operator:<name>` or `config`).
    pub added_by: String,
    /// When.
    pub added_at: DateTime<Utc>,
}

/// A trust mark the provider holds and publishes in its entity configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldTrustMark {
    /// The trust mark's identifier (`id` / `trust_mark_type`).
    pub id: String,
    /// The signed trust mark (a JWT issued by a trust mark issuer).
    pub trust_mark: String,
    /// Who added it (`operator:<name>` or `config`).
    pub added_by: String,
    /// When.
    pub added_at: DateTime<Utc>,
}

/// A relying party registered through a trust chain: what the resolution gave,
/// beside its `service_providers` row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FederationClient {
    /// Its entity id, which is its `client_id`.
    pub client_id: String,
    /// The trust anchor the chain ended at.
    pub trust_anchor: String,
    /// The resolved metadata: every entity type (`openid_relying_party`,
    /// `federation_entity`) after the chain's policies.
    pub metadata: Value,
    /// The statements of the chain, leaf first, trust anchor last.
    pub trust_chain: Vec<String>,
    /// The trust marks that were verified (their ids).
    pub trust_marks: Vec<String>,
    /// When it was resolved.
    pub resolved_at: DateTime<Utc>,
    /// When it must be resolved again: the earliest `exp` of the chain.
    pub expires_at: DateTime<Utc>,
}

impl FederationClient {
    /// The resolved metadata of one entity type, if the chain gave it.
    #[must_use]
    pub fn metadata_of(&self, entity_type: &str) -> Option<&serde_json::Map<String, Value>> {
        self.metadata.get(entity_type).and_then(Value::as_object)
    }
}
