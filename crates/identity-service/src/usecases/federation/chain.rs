//! Trust-chain resolution (OpenID Federation 1.0): from a subject's entity
//! configuration up its `authority_hints` to a configured trust anchor,
//! fetching each superior's statement about its subordinate, checking every
//! signature, `iss`/`sub` link and expiry, the path length, the trust marks
//! asked for, and resolving the metadata through the chain's policies.

use std::collections::BTreeSet;

use identity_core::federation::policy::{self, PolicyError};
use identity_core::federation::statement::{
    EntityStatement, STATEMENT_TYP, TrustMarkRef, configuration_url,
};
use serde_json::{Map, Value};

use super::jwt::verified_claims;
use crate::model::TrustAnchor;
use crate::ports::{EntityFetcher, FetchError};
use crate::usecases::federation::settings::FederationConfig;

/// Clock difference tolerated on statements' `iat` and `exp`, in seconds.
pub const SKEW_SECS: i64 = 60;

/// Why a chain could not be resolved. Each maps to the federation error the
/// relying party gets (docs/federation.md).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolutionError {
    /// A statement could not be fetched (unreachable, too slow, too large,
    /// refused): `temporarily_unavailable`.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A statement is not valid (signature, `iss`/`sub`, expiry, shape), or no
    /// path reaches a configured trust anchor: `invalid_client`.
    #[error("{0}")]
    Untrusted(String),
    /// The metadata does not pass the chain's policies, or a trust mark the
    /// configuration asks for is missing: `unauthorized_client`.
    #[error("{0}")]
    Unauthorized(String),
}

impl ResolutionError {
    /// The federation / OAuth error code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ResolutionError::Fetch(_) => "temporarily_unavailable",
            ResolutionError::Untrusted(_) => "invalid_client",
            ResolutionError::Unauthorized(_) => "unauthorized_client",
        }
    }
}

impl From<PolicyError> for ResolutionError {
    fn from(e: PolicyError) -> Self {
        ResolutionError::Unauthorized(format!("metadata policy: {e}"))
    }
}

/// A path found up to an anchor: the superiors' statements about their
/// subordinates (from the leaf's superior up) and the anchor's configuration.
type Path = (Vec<Signed>, Signed);

/// A boxed future of a path (the walk recurses).
type PathFuture<'s> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Path, ResolutionError>> + Send + 's>>;

/// A statement: its text and its verified claims.
#[derive(Debug, Clone)]
struct Signed {
    jwt: String,
    claims: EntityStatement,
}

/// A resolved trust chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChain {
    /// The subject (exact string).
    pub subject: String,
    /// The trust anchor it ends at.
    pub trust_anchor: String,
    /// The statements: the subject's configuration, each superior's statement
    /// about its subordinate, the anchor's configuration.
    pub statements: Vec<String>,
    /// The subject's metadata by entity type, after the policies.
    pub metadata: Map<String, Value>,
    /// The trust marks verified (id and JWT).
    pub trust_marks: Vec<TrustMarkRef>,
    /// The earliest `exp` of the chain (seconds since the epoch).
    pub expires_at: i64,
}

/// Resolves trust chains with a fetcher, under the configured limits.
pub struct Resolver<'a> {
    /// Where statements come from.
    pub fetcher: &'a dyn EntityFetcher,
    /// The trust anchors (configuration file and operators' ones).
    pub anchors: &'a [TrustAnchor],
    /// Limits and the trust marks asked for.
    pub config: &'a FederationConfig,
    /// Now, in seconds since the epoch.
    pub now: i64,
    /// Fetches made so far (bounded by `fetch.max_fetches`).
    fetches: std::sync::atomic::AtomicUsize,
}

fn untrusted(why: impl Into<String>) -> ResolutionError {
    ResolutionError::Untrusted(why.into())
}

impl<'a> Resolver<'a> {
    /// A resolver.
    #[must_use]
    pub fn new(
        fetcher: &'a dyn EntityFetcher,
        anchors: &'a [TrustAnchor],
        config: &'a FederationConfig,
        now: i64,
    ) -> Resolver<'a> {
        Resolver {
            fetcher,
            anchors,
            config,
            now,
            fetches: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn anchor(&self, entity_id: &str) -> Option<&TrustAnchor> {
        self.anchors.iter().find(|a| a.entity_id == entity_id)
    }

    async fn fetch(&self, url: &str) -> Result<String, ResolutionError> {
        let made = self
            .fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if made >= self.config.fetch.max_fetches {
            return Err(untrusted("the resolution needs too many fetches"));
        }
        Ok(self.fetcher.fetch(url).await?.trim().to_owned())
    }

    /// `jwt` verified with `jwks`, read as a statement issued by `iss` about
    /// `sub` and valid now.
    fn statement(
        &self,
        jwt: &str,
        jwks: &Value,
        iss: &str,
        sub: &str,
    ) -> Result<EntityStatement, ResolutionError> {
        let claims = verified_claims(jwt, jwks, Some(STATEMENT_TYP))
            .map_err(|e| untrusted(format!("statement of {iss} about {sub}: {e}")))?;
        let statement =
            EntityStatement::from_claims(&claims).map_err(|e| untrusted(e.to_string()))?;
        statement
            .check(iss, sub, self.now, SKEW_SECS)
            .map_err(|e| untrusted(e.to_string()))?;
        Ok(statement)
    }

    /// The entity configuration of `entity_id`, signed with its own keys.
    async fn configuration(&self, entity_id: &str) -> Result<Signed, ResolutionError> {
        let jwt = self.fetch(&configuration_url(entity_id)).await?;
        let unverified = super::jwt::unverified_claims(&jwt).map_err(untrusted)?;
        let own_keys = unverified
            .get("jwks")
            .cloned()
            .ok_or_else(|| untrusted(format!("the configuration of {entity_id} has no jwks")))?;
        let claims = self.statement(&jwt, &own_keys, entity_id, entity_id)?;
        Ok(Signed { jwt, claims })
    }

    /// Resolves `subject` to a configured trust anchor (the first path that
    /// verifies, in the order of its `authority_hints`).
    pub async fn resolve(&self, subject: &str) -> Result<ResolvedChain, ResolutionError> {
        let leaf = self.configuration(subject).await?;
        let mut visited = BTreeSet::from([subject.to_owned()]);
        // links: superiors' statements about their subordinates, from the
        // leaf's superior up; the anchor's configuration last.
        let (links, anchor_config) = self.walk(&leaf, 0, &mut visited).await?;
        self.finish(leaf, links, anchor_config)
    }

    /// The path from `entity` (verified with its own keys) up to an anchor.
    fn walk<'s>(
        &'s self,
        entity: &'s Signed,
        intermediates: usize,
        visited: &'s mut BTreeSet<String>,
    ) -> PathFuture<'s> {
        Box::pin(async move {
            let subject = entity.claims.sub.clone();
            if entity.claims.authority_hints.is_empty() {
                return Err(untrusted(format!(
                    "{subject} names no superior (authority_hints)"
                )));
            }
            let mut last = untrusted(format!("no superior of {subject} leads to a trust anchor"));
            let hints = entity
                .claims
                .authority_hints
                .iter()
                .take(self.config.fetch.max_authority_hints);
            for hint in hints {
                if !visited.insert(hint.clone()) {
                    last = untrusted(format!("a loop in authority_hints at {hint}"));
                    continue;
                }
                match self.step(entity, hint, intermediates, visited).await {
                    Ok(found) => return Ok(found),
                    Err(e @ ResolutionError::Fetch(_)) | Err(e @ ResolutionError::Untrusted(_)) => {
                        tracing::debug!(%subject, superior = %hint, error = %e, "path refused");
                        // A loop is an entity met twice on one path: a path
                        // given up leaves its entities free for the next hint.
                        visited.remove(hint);
                        last = e;
                    }
                    Err(other) => return Err(other),
                }
            }
            Err(last)
        })
    }

    /// One step up: `superior`'s configuration, its statement about `entity`,
    /// and, unless it is an anchor, the rest of the path.
    async fn step(
        &self,
        entity: &Signed,
        superior: &str,
        intermediates: usize,
        visited: &mut BTreeSet<String>,
    ) -> Result<Path, ResolutionError> {
        let subject = &entity.claims.sub;
        let anchor = self.anchor(superior);
        if anchor.is_none() && intermediates >= self.config.fetch.max_path_length {
            return Err(untrusted(format!(
                "the path from {subject} is longer than {} intermediates",
                self.config.fetch.max_path_length
            )));
        }
        let config = self.configuration(superior).await?;
        // An anchor's statements verify with the keys the operators set, not
        // only with the ones it publishes.
        let superior_keys = match anchor {
            Some(a) => {
                self.statement(&config.jwt, &a.jwks, superior, superior)?;
                a.jwks.clone()
            }
            None => config.claims.jwks.clone(),
        };
        let endpoint = config.claims.fetch_endpoint().ok_or_else(|| {
            untrusted(format!("{superior} publishes no federation_fetch_endpoint"))
        })?;
        let mut url = url::Url::parse(endpoint)
            .map_err(|e| untrusted(format!("{superior}'s fetch endpoint: {e}")))?;
        url.query_pairs_mut().append_pair("sub", subject);
        let jwt = self.fetch(url.as_str()).await?;
        let about = self.statement(&jwt, &superior_keys, superior, subject)?;
        // The superior vouches for the subordinate's keys: its configuration
        // must verify with the keys the superior published about it.
        verified_claims(&entity.jwt, &about.jwks, None).map_err(|e| {
            untrusted(format!(
                "the configuration of {subject} does not verify with the keys {superior} states: {e}"
            ))
        })?;
        let link = Signed { jwt, claims: about };
        if anchor.is_some() {
            let longest = config.claims.max_path_length.unwrap_or(usize::MAX);
            if intermediates > longest {
                return Err(untrusted(format!(
                    "{superior} allows at most {longest} intermediates"
                )));
            }
            return Ok((vec![link], config));
        }
        let (mut rest, anchor_config) = self.walk(&config, intermediates + 1, visited).await?;
        rest.insert(0, link);
        Ok((rest, anchor_config))
    }

    /// The chain's metadata, trust marks and expiry.
    fn finish(
        &self,
        leaf: Signed,
        links: Vec<Signed>,
        anchor_config: Signed,
    ) -> Result<ResolvedChain, ResolutionError> {
        let critical: Vec<String> = links
            .iter()
            .flat_map(|l| l.claims.metadata_policy_crit.iter().cloned())
            .collect();
        let mut metadata = Map::new();
        for (entity_type, own) in &leaf.claims.metadata {
            let Some(own) = own.as_object() else {
                return Err(untrusted(format!(
                    "metadata.{entity_type} is not an object"
                )));
            };
            // Policies combine from the anchor down; the immediate superior's
            // `metadata` overrides the leaf's own values.
            let mut combined = policy::EntityTypePolicy::new();
            for link in links.iter().rev() {
                if let Some(p) = link
                    .claims
                    .metadata_policy
                    .get(entity_type)
                    .and_then(Value::as_object)
                {
                    combined = policy::combine(&combined, p, &critical)?;
                }
            }
            let overridden = policy::override_with(own, links[0].claims.metadata_of(entity_type));
            let resolved = policy::apply(&combined, &overridden, &critical)?;
            metadata.insert(entity_type.clone(), Value::Object(resolved));
        }
        let trust_marks = self.trust_marks(&leaf, &links, &anchor_config)?;
        let expires_at = std::iter::once(&leaf)
            .chain(&links)
            .chain(std::iter::once(&anchor_config))
            .map(|s| s.claims.exp)
            .min()
            .unwrap_or(self.now);
        let trust_anchor = anchor_config.claims.sub.clone();
        let subject = leaf.claims.sub.clone();
        let statements = std::iter::once(leaf.jwt)
            .chain(links.into_iter().map(|l| l.jwt))
            .chain(std::iter::once(anchor_config.jwt))
            .collect();
        Ok(ResolvedChain {
            subject,
            trust_anchor,
            statements,
            metadata,
            trust_marks,
            expires_at,
        })
    }

    /// The subject's trust marks that verify: issued about it by an issuer the
    /// anchor accepts for that id, whose keys the chain established (the
    /// anchor or an intermediate), unexpired. One of the configured
    /// `required_trust_marks`, if any, must be among them.
    fn trust_marks(
        &self,
        leaf: &Signed,
        links: &[Signed],
        anchor_config: &Signed,
    ) -> Result<Vec<TrustMarkRef>, ResolutionError> {
        let anchor = &anchor_config.claims;
        let anchor_keys = self.anchor(&anchor.sub).map_or(&anchor.jwks, |a| &a.jwks);
        // The keys of each entity of the chain above the leaf, as their
        // superiors stated them.
        let mut known: Vec<(&str, &Value)> = vec![(anchor.sub.as_str(), anchor_keys)];
        for pair in links.windows(2) {
            known.push((pair[1].claims.sub.as_str(), &pair[1].claims.jwks));
        }
        let subject = leaf.claims.sub.as_str();
        let mut verified = Vec::new();
        let mut refused = Vec::new();
        for mark in &leaf.claims.trust_marks {
            let check = || -> Result<(), String> {
                let claims = super::jwt::unverified_claims(&mark.jwt)?;
                let issuer = claims.get("iss").and_then(Value::as_str).ok_or("no iss")?;
                if !anchor.accepts_trust_mark_issuer(&mark.id, issuer) {
                    return Err(format!("{issuer} may not issue {}", mark.id));
                }
                let keys = known
                    .iter()
                    .find(|(id, _)| *id == issuer)
                    .map(|(_, k)| *k)
                    .ok_or_else(|| format!("the keys of {issuer} are not in the chain"))?;
                let claims = verified_claims(&mark.jwt, keys, None)?;
                let id = claims
                    .get("trust_mark_type")
                    .or_else(|| claims.get("id"))
                    .and_then(Value::as_str);
                if id != Some(mark.id.as_str()) {
                    return Err("its id differs from the one listed".into());
                }
                if claims.get("sub").and_then(Value::as_str) != Some(subject) {
                    return Err("it is about another entity".into());
                }
                let exp = claims.get("exp").and_then(Value::as_i64);
                if exp.is_some_and(|exp| exp + SKEW_SECS < self.now) {
                    return Err("it expired".into());
                }
                Ok(())
            };
            match check() {
                Ok(()) => verified.push(mark.clone()),
                Err(why) => refused.push(format!("{}: {why}", mark.id)),
            }
        }
        let required = &self.config.required_trust_marks;
        if !required.is_empty() && !verified.iter().any(|m| required.contains(&m.id)) {
            let detail = if refused.is_empty() {
                String::new()
            } else {
                format!(" (refused: {})", refused.join("; "))
            };
            return Err(ResolutionError::Unauthorized(format!(
                "{subject} presents none of the trust marks asked for{detail}"
            )));
        }
        Ok(verified)
    }
}
