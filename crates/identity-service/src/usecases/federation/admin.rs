//! What the operators set about the federation: the trust anchors relying
//! parties are recognised through and the trust marks the provider holds.
//! Every change is audited.

use serde_json::{Value, json};

use crate::error::{InfraError, infra_error};
use crate::model::{HeldTrustMark, Operator, OperatorRole, TrustAnchor};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::operators::OperatorError;

/// Why an operator's federation change was refused.
#[derive(Debug, thiserror::Error)]
pub enum FederationAdminError {
    /// A value is wrong (the message says which and why).
    #[error("{0}")]
    Invalid(String),
    /// No such anchor or trust mark.
    #[error("not found")]
    NotFound,
    /// The operator may not do it.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(FederationAdminError);

/// What operators set about the federation, beside the configuration file.
#[derive(Debug, Clone, Copy)]
enum Setting {
    TrustAnchor,
    TrustMark,
}

fn invalid(message: impl Into<String>) -> FederationAdminError {
    FederationAdminError::Invalid(message.into())
}

/// An entity id: an https URL (http only on loopback, for a local
/// federation), without fragment, query or credentials. Public so the CLI
/// can refuse what an operator typed before it opens the database.
///
/// # Errors
/// [`FederationAdminError::Invalid`], saying what an entity id must be.
pub fn check_entity_id(id: &str) -> Result<(), FederationAdminError> {
    let ok = url::Url::parse(id).is_ok_and(|u| {
        let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        (u.scheme() == "https" || (u.scheme() == "http" && loopback))
            && u.host().is_some()
            && u.fragment().is_none()
            && u.query().is_none()
            && u.username().is_empty()
    });
    if ok && id.len() <= 512 {
        Ok(())
    } else {
        Err(invalid(format!(
            "{id:?} is not an entity id: an https:// URL (http:// only on the loopback), without query or fragment"
        )))
    }
}

/// A federation JWKS: public keys, each with `kid` (statements name theirs).
///
/// # Errors
/// [`FederationAdminError::Invalid`], saying what is wrong.
pub fn check_federation_jwks(jwks: &Value) -> Result<(), FederationAdminError> {
    crate::usecases::service_providers::check_public_jwks(jwks).map_err(|_| {
        invalid("the JWKS must be {\"keys\": [...]} of public keys, each with \"kty\"")
    })?;
    let all_named = jwks["keys"].as_array().is_some_and(|keys| {
        keys.iter()
            .all(|k| k.get("kid").and_then(Value::as_str).is_some())
    });
    if all_named {
        Ok(())
    } else {
        Err(invalid("every key of a federation JWKS needs a \"kid\""))
    }
}

impl Service {
    /// An admin adds a trust anchor, or replaces the keys of one.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn add_trust_anchor(
        &self,
        entity_id: &str,
        jwks: &Value,
        by: &Operator,
    ) -> Result<TrustAnchor, FederationAdminError> {
        by.require(OperatorRole::Admin)?;
        let entity_id = entity_id.trim();
        check_entity_id(entity_id)?;
        check_federation_jwks(jwks)?;
        let now = self.clock.now();
        let actor = by.actor().to_audit_string();
        let anchor = TrustAnchor {
            entity_id: entity_id.to_owned(),
            jwks: jwks.clone(),
            added_by: actor.clone(),
            added_at: now,
        };
        let mut tx = self.store.begin().await?;
        let new = tx.put_trust_anchor(&anchor).await?;
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.get("kid").and_then(Value::as_str))
            .collect();
        audit(
            tx.as_mut(),
            now,
            &actor,
            if new {
                "federation.trust_anchor_added"
            } else {
                "federation.trust_anchor_keys_replaced"
            },
            None,
            json!({ "entity_id": entity_id, "kids": kids }),
        )
        .await?;
        tx.commit().await?;
        Ok(anchor)
    }

    /// An admin removes a trust anchor (relying parties registered through it
    /// keep their registration until it expires, and are then refused).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn remove_trust_anchor(
        &self,
        entity_id: &str,
        by: &Operator,
    ) -> Result<(), FederationAdminError> {
        self.remove_setting(Setting::TrustAnchor, entity_id, by)
            .await
    }

    /// An admin adds a trust mark the provider holds (or replaces the one with
    /// the same id): a JWT about this provider, whose id is `id`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn add_held_trust_mark(
        &self,
        trust_mark: &str,
        by: &Operator,
    ) -> Result<HeldTrustMark, FederationAdminError> {
        by.require(OperatorRole::Admin)?;
        let trust_mark = trust_mark.trim();
        let claims = super::jwt::unverified_claims(trust_mark)
            .map_err(|e| invalid(format!("the trust mark is not a signed JWT: {e}")))?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let id = text("trust_mark_type")
            .or_else(|| text("id"))
            .ok_or_else(|| invalid("the trust mark has no id (trust_mark_type)"))?;
        let entity_id = self.entity_id();
        if text("sub").as_deref() != Some(entity_id.as_str()) {
            return Err(invalid(format!(
                "the trust mark is about {:?}, not this provider ({entity_id})",
                text("sub").unwrap_or_default()
            )));
        }
        let now = self.clock.now();
        if claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp < now.timestamp())
        {
            return Err(invalid("the trust mark expired"));
        }
        let actor = by.actor().to_audit_string();
        let mark = HeldTrustMark {
            id: id.clone(),
            trust_mark: trust_mark.to_owned(),
            added_by: actor.clone(),
            added_at: now,
        };
        let mut tx = self.store.begin().await?;
        let new = tx.put_trust_mark(&mark).await?;
        audit(
            tx.as_mut(),
            now,
            &actor,
            if new {
                "federation.trust_mark_added"
            } else {
                "federation.trust_mark_replaced"
            },
            None,
            json!({ "id": id, "issuer": text("iss") }),
        )
        .await?;
        tx.commit().await?;
        Ok(mark)
    }

    /// An admin removes a held trust mark.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn remove_held_trust_mark(
        &self,
        id: &str,
        by: &Operator,
    ) -> Result<(), FederationAdminError> {
        self.remove_setting(Setting::TrustMark, id, by).await
    }

    /// Removes a trust anchor or a held trust mark added by an operator, with
    /// its audit record.
    async fn remove_setting(
        &self,
        setting: Setting,
        id: &str,
        by: &Operator,
    ) -> Result<(), FederationAdminError> {
        by.require(OperatorRole::Admin)?;
        let id = id.trim();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (deleted, event, details) = match setting {
            Setting::TrustAnchor => (
                tx.delete_trust_anchor(id).await,
                "federation.trust_anchor_removed",
                json!({ "entity_id": id }),
            ),
            Setting::TrustMark => (
                tx.delete_trust_mark(id).await,
                "federation.trust_mark_removed",
                json!({ "id": id }),
            ),
        };
        match deleted {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(FederationAdminError::NotFound),
            Err(e) => return Err(e.into()),
        }
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            event,
            None,
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The federation keys an entity publishes in its own configuration,
    /// fetched now and checked to sign it: for an operator adding a trust
    /// anchor without a key file, who then compares the printed key ids with
    /// the ones the federation's authority announces.
    pub async fn fetch_published_federation_keys(
        &self,
        entity_id: &str,
    ) -> Result<Value, FederationAdminError> {
        let entity_id = entity_id.trim();
        check_entity_id(entity_id)?;
        let url = identity_core::federation::statement::configuration_url(entity_id);
        let jwt = self
            .fetcher
            .fetch(&url)
            .await
            .map_err(|e| invalid(e.to_string()))?;
        let claims = super::jwt::unverified_claims(jwt.trim()).map_err(invalid)?;
        let keys = claims
            .get("jwks")
            .cloned()
            .ok_or_else(|| invalid(format!("the configuration of {entity_id} has no jwks")))?;
        let verified = super::jwt::verified_claims(
            jwt.trim(),
            &keys,
            Some(identity_core::federation::statement::STATEMENT_TYP),
        )
        .map_err(|e| {
            invalid(format!(
                "the configuration of {entity_id} does not verify: {e}"
            ))
        })?;
        let about_itself = verified.get("iss").and_then(Value::as_str) == Some(entity_id)
            && verified.get("sub").and_then(Value::as_str) == Some(entity_id);
        if !about_itself {
            return Err(invalid(format!(
                "the configuration at {url} is not about {entity_id} (iss and sub must be exactly it)"
            )));
        }
        check_federation_jwks(&keys)?;
        Ok(keys)
    }

    /// The trust marks operators added (with who and when).
    pub async fn stored_trust_marks(&self) -> Result<Vec<HeldTrustMark>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.trust_marks().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_are_https_or_loopback_http() {
        assert!(check_entity_id("https://registry.spid.gov.it").is_ok());
        assert!(check_entity_id("https://ta.example.it/").is_ok());
        assert!(check_entity_id("http://127.0.0.1:8101/").is_ok());
        assert!(check_entity_id("http://ta.example.it").is_err());
        assert!(check_entity_id("https://ta.example.it/?x=1").is_err());
        assert!(check_entity_id("https://ta.example.it/#f").is_err());
        assert!(check_entity_id("ta.example.it").is_err());
    }

    #[test]
    fn federation_keys_need_a_kid_and_no_private_part() {
        assert!(
            check_federation_jwks(
                &json!({"keys": [{"kty": "RSA", "kid": "a", "n": "x", "e": "AQAB"}]})
            )
            .is_ok()
        );
        assert!(
            check_federation_jwks(&json!({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}))
                .is_err()
        );
        assert!(
            check_federation_jwks(&json!({"keys": [{"kty": "RSA", "kid": "a", "d": "secret"}]}))
                .is_err()
        );
        assert!(check_federation_jwks(&json!({"keys": []})).is_err());
    }
}
