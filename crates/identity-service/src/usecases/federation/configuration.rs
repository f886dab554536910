//! The provider's entity configuration (OpenID Federation 1.0, the SPID/CIE
//! rules): a statement about itself, signed with its federation key, carrying
//! its federation keys, its superiors, its metadata as `federation_entity` and
//! `openid_provider`, and the trust marks it holds.

use serde_json::{Map, Value, json};

use super::settings::FederationConfig;
use crate::ports::{KeyPurpose, StoreError};
use crate::service::Service;
use crate::usecases::oidc::keys::{SigningAlg, SigningKeyError};

/// The path of the resolve endpoint, under the public URL.
pub const RESOLVE_PATH: &str = "/federation/resolve";

/// An entity configuration, ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedConfiguration {
    /// The signed statement.
    pub jwt: String,
    /// How long it is valid, in seconds (for the caching headers).
    pub lifetime_secs: u64,
}

impl FederationConfig {
    /// The provider's entity id: the configured one, or its issuer.
    #[must_use]
    pub fn entity_id_or(&self, issuer: &str) -> String {
        self.entity_id
            .clone()
            .unwrap_or_else(|| issuer.trim_end_matches('/').to_owned())
    }
}

impl Service {
    /// The provider's entity id (exact string).
    #[must_use]
    pub fn entity_id(&self) -> String {
        self.config.federation.entity_id_or(&self.config.public_url)
    }

    /// The `federation_entity` metadata: the organization and the resolve endpoint.
    fn federation_entity_metadata(&self) -> Value {
        let f = &self.config.federation;
        let base = self.config.public_url.trim_end_matches('/');
        json!({
            "organization_name": f.organization_name,
            "homepage_uri": f.homepage_uri.clone().unwrap_or_else(|| format!("{base}/")),
            "policy_uri": f.policy_uri.clone().unwrap_or_else(|| format!("{base}/privacy")),
            "logo_uri": f.logo_uri.clone().unwrap_or_else(|| format!("{base}/static/logo.svg")),
            "contacts": f.contacts,
            "federation_resolve_endpoint": format!("{base}{RESOLVE_PATH}"),
        })
    }

    /// The provider's entity configuration, with `openid_provider` (the
    /// provider's metadata, as the discovery document has it) completed with
    /// its JWKS inline, as the rules ask instead of a `jwks_uri`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn entity_configuration(
        &self,
        openid_provider: Map<String, Value>,
    ) -> Result<SignedConfiguration, SigningKeyError> {
        let now = self.clock.now().timestamp();
        let f = &self.config.federation;
        let lifetime = f.entity_configuration_lifetime_secs.max(60);
        let entity_id = self.entity_id();
        let mut provider = openid_provider;
        provider.insert("jwks".into(), self.jwks().await?);
        let federation_keys = self.published_keys(KeyPurpose::Federation).await?;
        let marks = self.held_trust_marks().await?;
        let anchors = self.trust_anchors().await?;
        let authority_hints: Vec<String> = if f.authority_hints.is_empty() {
            anchors.into_iter().map(|a| a.entity_id).collect()
        } else {
            f.authority_hints.clone()
        };
        let trust_marks: Vec<Value> = marks
            .into_iter()
            .map(|(id, jwt)| json!({ "id": id, "trust_mark_type": id, "trust_mark": jwt }))
            .collect();
        let claims = json!({
            "iss": entity_id,
            "sub": entity_id,
            "iat": now,
            "exp": now + i64::try_from(lifetime).unwrap_or(86_400),
            "jwks": federation_keys,
            "authority_hints": authority_hints,
            "metadata": {
                "federation_entity": self.federation_entity_metadata(),
                "openid_provider": provider,
            },
            "trust_marks": trust_marks,
        });
        let jwt = self
            .sign_jwt(
                KeyPurpose::Federation,
                SigningAlg::Rs256,
                identity_core::federation::statement::STATEMENT_TYP,
                &claims,
            )
            .await?;
        Ok(SignedConfiguration {
            jwt,
            lifetime_secs: lifetime,
        })
    }

    /// The trust marks the provider holds (id, JWT): the configuration
    /// file's, then the operators' (which win for the same id).
    pub async fn held_trust_marks(&self) -> Result<Vec<(String, String)>, StoreError> {
        let stored = {
            let mut tx = self.store.begin_read().await?;
            tx.trust_marks().await?
        };
        let mut all: Vec<(String, String)> = self
            .config
            .federation
            .trust_marks
            .iter()
            .filter(|c| !stored.iter().any(|s| s.id == c.id))
            .map(|c| (c.id.clone(), c.trust_mark.clone()))
            .collect();
        all.extend(stored.into_iter().map(|m| (m.id, m.trust_mark)));
        Ok(all)
    }
}
