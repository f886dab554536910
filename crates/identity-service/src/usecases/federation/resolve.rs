//! The resolve endpoint (OpenID Federation 1.0, the SPID/CIE rules): another
//! entity asks the provider for a subject's resolved metadata, trust marks and
//! trust chain to a given anchor; the answer is a statement signed with the
//! provider's federation key. A relying party registered here with an
//! unexpired chain to that anchor is answered from what the registration
//! keeps; any other subject is resolved now.

use identity_core::federation::statement::EntityStatement;
use serde_json::{Map, Value, json};

use super::chain::{ResolutionError, ResolvedChain};
use super::jwt::unverified_claims;
use crate::error::{InfraError, infra_error};
use crate::model::FederationClient;
use crate::ports::KeyPurpose;
use crate::service::Service;
use crate::usecases::oidc::keys::SigningAlg;

/// The `typ` of a resolve response.
pub const RESOLVE_TYP: &str = "resolve-response+jwt";

/// Why a resolve request is refused, as the federation error it becomes.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A parameter is missing or malformed: `invalid_request`, 400.
    #[error("{0}")]
    InvalidRequest(String),
    /// The trust anchor is not one this provider trusts: `invalid_trust_anchor`, 404.
    #[error("{0}")]
    UnknownAnchor(String),
    /// The subject's chain did not resolve.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ResolveError);

impl From<crate::usecases::oidc::keys::SigningKeyError> for ResolveError {
    fn from(e: crate::usecases::oidc::keys::SigningKeyError) -> Self {
        ResolveError::Infra(InfraError::Signing(e))
    }
}

/// The chain a registration keeps, as a resolution (its trust marks read back
/// from the leaf's configuration, only those that verified then).
fn from_registration(client: &FederationClient) -> Option<ResolvedChain> {
    let leaf = unverified_claims(client.trust_chain.first()?).ok()?;
    let leaf = EntityStatement::from_claims(&leaf).ok()?;
    Some(ResolvedChain {
        subject: client.client_id.clone(),
        trust_anchor: client.trust_anchor.clone(),
        statements: client.trust_chain.clone(),
        metadata: client.metadata.as_object().cloned().unwrap_or_default(),
        trust_marks: leaf
            .trust_marks
            .into_iter()
            .filter(|m| client.trust_marks.contains(&m.id))
            .collect(),
        expires_at: client.expires_at.timestamp(),
    })
}

impl Service {
    /// Answers a resolve request: `sub` resolved to `trust_anchor`, its
    /// metadata limited to `entity_types` when any are named.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), sub = %sub))]
    pub async fn resolve_entity(
        &self,
        sub: &str,
        trust_anchor: &str,
        entity_types: &[String],
    ) -> Result<String, ResolveError> {
        if sub.is_empty() || trust_anchor.is_empty() {
            return Err(ResolveError::InvalidRequest(
                "sub and trust_anchor are required".into(),
            ));
        }
        let anchors = self.trust_anchors().await?;
        let Some(anchor) = anchors.iter().find(|a| a.entity_id == trust_anchor) else {
            return Err(ResolveError::UnknownAnchor(format!(
                "{trust_anchor} is not a trust anchor of this entity"
            )));
        };
        let now = self.clock.now();
        let registered = self
            .federation_client(sub)
            .await?
            .filter(|c| c.expires_at > now && c.trust_anchor == trust_anchor)
            .and_then(|c| from_registration(&c));
        let chain = match registered {
            Some(chain) => chain,
            None => {
                self.resolve_trust_chain(sub, std::slice::from_ref(anchor))
                    .await?
            }
        };
        let metadata: Map<String, Value> = chain
            .metadata
            .into_iter()
            .filter(|(t, _)| entity_types.is_empty() || entity_types.contains(t))
            .collect();
        let trust_marks: Vec<Value> = chain
            .trust_marks
            .iter()
            .map(|m| json!({ "id": m.id, "trust_mark_type": m.id, "trust_mark": m.jwt }))
            .collect();
        let claims = json!({
            "iss": self.entity_id(),
            "sub": chain.subject,
            "iat": now.timestamp(),
            "exp": chain.expires_at,
            "metadata": metadata,
            "trust_marks": trust_marks,
            "trust_chain": chain.statements,
        });
        Ok(self
            .sign_jwt(
                KeyPurpose::Federation,
                SigningAlg::Rs256,
                RESOLVE_TYP,
                &claims,
            )
            .await?)
    }
}
