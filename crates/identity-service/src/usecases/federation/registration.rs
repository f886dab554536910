//! Automatic client registration (OpenID Federation 1.0, the SPID/CIE rules):
//! an authorization request naming an entity id the provider does not know
//! starts a trust-chain resolution; a chain that resolves registers the
//! relying party with its resolved metadata until the chain's earliest `exp`.
//! Concurrent requests for the same unknown client resolve once.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::chain::{ResolutionError, ResolvedChain, Resolver};
use super::settings::ConfiguredAnchor;
use crate::error::{InfraError, infra_error};
use crate::model::{ClientAuth, FederationClient, ServiceProvider, TrustAnchor};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::oidc::log::TransactionEntry;
use crate::usecases::service_providers::{ATTRIBUTES, acceptable_url, check_public_jwks};

/// The audit actor of what the federation does on its own.
pub const FEDERATION_ACTOR: &str = "federation";

/// How many trust chains this node resolves at once. The resolve endpoint is
/// public and each resolution may fetch up to `fetch.max_fetches` statements
/// of up to `fetch.timeout_ms` each: beyond this many, a resolution waits at
/// most one fetch's time, then is answered `temporarily_unavailable`.
pub const CONCURRENT_RESOLUTIONS: usize = 8;

/// The relying parties being resolved now: one lock per entity id, and a bound
/// on how many resolutions run at once.
#[derive(Debug)]
pub struct InFlight {
    locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    running: tokio::sync::Semaphore,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight {
            locks: std::sync::Mutex::default(),
            running: tokio::sync::Semaphore::new(CONCURRENT_RESOLUTIONS),
        }
    }
}

impl InFlight {
    fn lock_for(&self, client_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut locks) = self.locks.lock() else {
            return Arc::default();
        };
        // Locks nobody waits on any more are dropped, so the map stays small.
        locks.retain(|_, l| Arc::strong_count(l) > 1);
        locks.entry(client_id.to_owned()).or_default().clone()
    }
}

/// Why a federation client could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// The chain did not resolve, or its metadata is not usable: the error
    /// code (`invalid_client`, `unauthorized_client`,
    /// `temporarily_unavailable`) and why.
    #[error(transparent)]
    Refused(#[from] ResolutionError),
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(RegistrationError);

/// Whether `client_id` looks like an entity id the provider could resolve:
/// an https URL, or an http one when plain http to loopback is allowed.
fn looks_like_entity_id(client_id: &str, allow_http: bool) -> bool {
    url::Url::parse(client_id).is_ok_and(|u| {
        u.host().is_some() && (u.scheme() == "https" || (allow_http && u.scheme() == "http"))
    })
}

/// The provider row of a resolved relying party: its name (the
/// organization's), its redirect URIs and inline keys from the resolved
/// metadata; it may ask for any attribute and level (the holder consents).
fn provider_of(
    chain: &ResolvedChain,
    now: DateTime<Utc>,
) -> Result<ServiceProvider, ResolutionError> {
    let unusable =
        |why: &str| ResolutionError::Unauthorized(format!("relying party metadata: {why}"));
    let rp = chain
        .metadata
        .get("openid_relying_party")
        .and_then(Value::as_object)
        .ok_or_else(|| unusable("no openid_relying_party metadata"))?;
    let redirect_uris: Vec<String> = rp
        .get("redirect_uris")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(unusable("redirect_uris is missing"));
    }
    if redirect_uris.iter().any(|u| !acceptable_url(u)) {
        return Err(unusable(
            "a redirect_uri is not an https address (http only on loopback) without a fragment",
        ));
    }
    let jwks = rp
        .get("jwks")
        .filter(|j| {
            j.get("keys")
                .and_then(Value::as_array)
                .is_some_and(|k| !k.is_empty())
        })
        .cloned()
        .ok_or_else(|| unusable("jwks (the relying party's keys, inline) is missing"))?;
    check_public_jwks(&jwks)
        .map_err(|_| unusable("jwks holds a private key or a key without kty"))?;
    super::encrypted::encryption_of(rp)
        .map_err(|e| unusable(&format!("its answers cannot be encrypted for it: {e}")))?;
    if let Some(id) = rp.get("client_id").and_then(Value::as_str)
        && id != chain.subject
    {
        return Err(unusable("client_id differs from the entity id"));
    }
    if let Some(types) = rp
        .get("client_registration_types")
        .and_then(Value::as_array)
        && !types.iter().any(|t| t.as_str() == Some("automatic"))
    {
        return Err(unusable(
            "client_registration_types does not include automatic",
        ));
    }
    let name = chain
        .metadata
        .get("federation_entity")
        .and_then(|f| f.get("organization_name"))
        .or_else(|| rp.get("client_name"))
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&chain.subject)
        .trim()
        .to_owned();
    Ok(ServiceProvider {
        id: Uuid::now_v7(),
        client_id: chain.subject.clone(),
        name,
        redirect_uris,
        auth_method: ClientAuth::PrivateKeyJwt,
        jwks: Some(jwks),
        jwks_uri: None,
        attributes: ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect(),
        allowed_levels: vec![1, 2, 3],
        created_by: format!("{FEDERATION_ACTOR}:{}", chain.trust_anchor),
        created_at: now,
        disabled_at: None,
    })
}

impl Service {
    /// The trust anchors: those of the configuration file, then those the
    /// operators added (an operator's entry for the same entity id wins).
    pub async fn trust_anchors(&self) -> Result<Vec<TrustAnchor>, StoreError> {
        let stored = {
            let mut tx = self.store.begin_read().await?;
            tx.trust_anchors().await?
        };
        let mut all: Vec<TrustAnchor> = self
            .config
            .federation
            .trust_anchors
            .iter()
            .filter(|c| !stored.iter().any(|s| s.entity_id == c.entity_id))
            .map(|ConfiguredAnchor { entity_id, jwks }| TrustAnchor {
                entity_id: entity_id.clone(),
                jwks: jwks.clone(),
                added_by: "config".into(),
                added_at: DateTime::UNIX_EPOCH,
            })
            .collect();
        all.extend(stored);
        Ok(all)
    }

    /// Resolves `subject`'s trust chain now, to one of `anchors` (at most
    /// [`CONCURRENT_RESOLUTIONS`] at once on this node).
    pub async fn resolve_trust_chain(
        &self,
        subject: &str,
        anchors: &[TrustAnchor],
    ) -> Result<ResolvedChain, ResolutionError> {
        let busy = || {
            ResolutionError::Fetch(crate::ports::FetchError::Limit {
                url: subject.to_owned(),
                why: "too many trust chains are being resolved; try again shortly".into(),
            })
        };
        let _turn = tokio::time::timeout(
            self.config.federation.fetch.timeout(),
            self.resolving.running.acquire(),
        )
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
        let resolver = Resolver::new(
            self.fetcher.as_ref(),
            anchors,
            &self.config.federation,
            self.clock.now().timestamp(),
        );
        resolver.resolve(subject).await
    }

    /// Before an authorization request is checked: when `client_id` is an
    /// entity id registered through the federation whose registration expired,
    /// or one not registered at all, its trust chain is resolved and the
    /// relying party registered (or renewed). A statically registered provider,
    /// a fresh registration, or a client id that is not an entity id, is left
    /// as it is (`Ok(None)`); a registration made or renewed is returned.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn register_federation_client(
        &self,
        client_id: &str,
        client_ip: Option<&str>,
    ) -> Result<Option<FederationClient>, RegistrationError> {
        let allow_http = self.config.federation.fetch.allow_http_loopback;
        if !looks_like_entity_id(client_id, allow_http)
            || self.needs_no_resolution(client_id).await?
        {
            return Ok(None);
        }
        let anchors = self.trust_anchors().await?;
        if anchors.is_empty() {
            return Ok(None);
        }
        // One resolution per client at a time; whoever waited finds it done.
        let lock = self.resolving.lock_for(client_id);
        let _one = lock.lock().await;
        if self.needs_no_resolution(client_id).await? {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        let outcome = self.resolve_trust_chain(client_id, &anchors).await;
        self.metrics
            .federation_resolution(started.elapsed(), outcome.is_ok());
        let now = self.clock.now();
        let outcome = outcome.and_then(|chain| Ok((provider_of(&chain, now)?, chain)));
        let mut tx = self.store.begin().await?;
        let (sp, chain) = match outcome {
            Ok(found) => found,
            Err(e) => {
                tracing::info!(client = %client_id, error = %e, "trust chain refused");
                audit(
                    tx.as_mut(),
                    now,
                    FEDERATION_ACTOR,
                    "federation.resolution_failed",
                    None,
                    json!({ "client_id": client_id, "error": e.code(), "detail": e.to_string() }),
                )
                .await?;
                // Named, so `sp log --client-id` shows why it was refused.
                TransactionEntry::new(now, "authorize", e.code())
                    .client(client_id)
                    .detail(&format!("trust chain: {e}"))
                    .ip(client_ip)
                    .write(tx.as_mut())
                    .await?;
                tx.commit().await?;
                return Err(e.into());
            }
        };
        let cap = now
            + Duration::seconds(
                i64::try_from(self.config.federation.max_cache_secs).unwrap_or(i64::MAX / 2),
            );
        let expires_at = DateTime::from_timestamp(chain.expires_at, 0)
            .unwrap_or(now)
            .min(cap);
        let client = FederationClient {
            client_id: chain.subject.clone(),
            trust_anchor: chain.trust_anchor.clone(),
            metadata: Value::Object(chain.metadata.clone()),
            trust_chain: chain.statements.clone(),
            trust_marks: chain.trust_marks.iter().map(|m| m.id.clone()).collect(),
            resolved_at: now,
            expires_at,
        };
        let renewed = tx.federation_client(client_id).await?.is_some();
        tx.save_federation_client(&sp, &client).await?;
        audit(
            tx.as_mut(),
            now,
            FEDERATION_ACTOR,
            if renewed {
                "federation.client_renewed"
            } else {
                "federation.client_registered"
            },
            None,
            json!({
                "client_id": client.client_id,
                "name": sp.name,
                "trust_anchor": client.trust_anchor,
                "trust_marks": client.trust_marks,
                "expires_at": client.expires_at,
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(client = %client_id, anchor = %client.trust_anchor, renewed, "relying party registered through its trust chain");
        Ok(Some(client))
    }

    /// Whether `client_id` is registered by hand, or through a chain that has
    /// not expired.
    async fn needs_no_resolution(&self, client_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_read().await?;
        if let Some(client) = tx.federation_client(client_id).await? {
            return Ok(client.expires_at > self.clock.now());
        }
        match tx.service_provider(client_id).await {
            Ok(_) => Ok(true),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The federation registration of `client_id`, if it has one.
    pub async fn federation_client(
        &self,
        client_id: &str,
    ) -> Result<Option<FederationClient>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.federation_client(client_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_are_resolved() {
        assert!(looks_like_entity_id("https://rp.example.it", false));
        assert!(looks_like_entity_id(
            "https://rp.example.it/oidc/rp/",
            false
        ));
        assert!(!looks_like_entity_id("http://127.0.0.1:8102/", false));
        assert!(looks_like_entity_id("http://127.0.0.1:8102/", true));
        assert!(!looks_like_entity_id("my-client", true));
        assert!(!looks_like_entity_id("urn:x:y", true));
    }
}
