//! Service providers (OpenID Connect relying parties): registered by an admin
//! with their redirect URIs, how they authenticate (`private_key_jwt` with a
//! JWKS, or a client secret for development) and the attributes they may ask
//! for. The sign-in endpoints that use them come with the OIDC provider.

use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{ClientAuth, Operator, OperatorRole, ServiceProvider};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::api_clients::token_hash;
use crate::usecases::operators::OperatorError;

/// The attributes a service provider may ask for (SPID names; `fiscal_number`
/// is released as `TINIT-<tax code>`).
pub const ATTRIBUTES: [&str; 12] = [
    "given_name",
    "family_name",
    "email",
    "phone_number",
    "fiscal_number",
    "spid_code",
    "birthdate",
    "place_of_birth",
    "gender",
    "address",
    "company_name",
    "vat_number",
];

/// Prefix of generated client secrets.
pub const SECRET_PREFIX: &str = "idsp_";

/// What an admin registers.
#[derive(Debug, Clone, Default)]
pub struct NewServiceProvider {
    /// The OAuth `client_id` (the provider's URL in the SPID profile).
    pub client_id: String,
    /// The name shown to holders.
    pub name: String,
    /// Exact redirect URIs: `https://...`, or `http://localhost...` for development.
    pub redirect_uris: Vec<String>,
    /// The public keys (a JWKS document) for `private_key_jwt`, inline...
    pub jwks: Option<serde_json::Value>,
    /// ... or their `https://` address.
    pub jwks_uri: Option<String>,
    /// No keys: a generated client secret (`client_secret_basic`), for development.
    pub client_secret: bool,
    /// Attributes it may ask for, from [`ATTRIBUTES`].
    pub attributes: Vec<String>,
    /// SPID levels it may ask for (1, 2, 3); none given: all three.
    pub levels: Vec<u8>,
}

/// Why a service provider was not registered or changed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceProviderError {
    /// A field is wrong (the message says which and why).
    #[error("{0}")]
    Invalid(String),
    /// The client id is taken.
    #[error("a service provider with this client id exists")]
    Duplicate,
    /// No such (enabled) provider.
    #[error("no such service provider")]
    NotFound,
    /// The operator may not do it.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ServiceProviderError);

fn invalid(message: impl Into<String>) -> ServiceProviderError {
    ServiceProviderError::Invalid(message.into())
}

/// An address fit for redirects and keys: `https://host...`, or plain HTTP on
/// the loopback (development); no user part, no fragment, no spaces.
pub(crate) fn acceptable_url(url: &str) -> bool {
    if url.contains('#') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return false,
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains(['@', '\\']) {
        return false;
    }
    // The host, and the port if any (digits only).
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    secure || matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

impl NewServiceProvider {
    /// Checks every field; the first problem is the error.
    pub fn check(&self) -> Result<ClientAuth, ServiceProviderError> {
        let client_id = self.client_id.trim();
        if client_id.is_empty()
            || client_id.len() > 255
            || client_id.chars().any(char::is_whitespace)
        {
            return Err(invalid("--client-id: 1 to 255 characters, no spaces"));
        }
        if self.name.trim().is_empty() || self.name.trim().chars().count() > 100 {
            return Err(invalid("--name: 1 to 100 characters"));
        }
        if self.redirect_uris.is_empty() {
            return Err(invalid("--redirect-uri: at least one"));
        }
        if let Some(bad) = self.redirect_uris.iter().find(|u| !acceptable_url(u)) {
            return Err(invalid(format!(
                "--redirect-uri {bad:?}: an https:// address (http:// only on localhost), without a fragment"
            )));
        }
        if let Some(bad) = self.levels.iter().find(|l| !(1..=3).contains(*l)) {
            return Err(invalid(format!("--level {bad}: 1, 2 or 3")));
        }
        if let Some(bad) = self
            .attributes
            .iter()
            .find(|a| !ATTRIBUTES.contains(&a.as_str()))
        {
            return Err(invalid(format!(
                "--attribute {bad:?}: one of {}",
                ATTRIBUTES.join(", ")
            )));
        }
        let keys = usize::from(self.jwks.is_some())
            + usize::from(self.jwks_uri.is_some())
            + usize::from(self.client_secret);
        if keys != 1 {
            return Err(invalid(
                "give exactly one of --jwks-file, --jwks-uri or --client-secret",
            ));
        }
        if let Some(uri) = &self.jwks_uri
            && !uri.starts_with("https://")
        {
            return Err(invalid("--jwks-uri: an https:// address"));
        }
        if let Some(jwks) = &self.jwks {
            check_public_jwks(jwks)?;
        }
        Ok(if self.client_secret {
            ClientAuth::ClientSecretBasic
        } else {
            ClientAuth::PrivateKeyJwt
        })
    }
}

/// The enabled provider with this client id, with its secret hash; `None` for
/// an unknown or disabled one.
pub(crate) async fn enabled_provider(
    tx: &mut dyn crate::ports::StoreTx,
    client_id: &str,
) -> Result<Option<(ServiceProvider, Option<String>)>, StoreError> {
    match tx.service_provider(client_id).await {
        Ok((sp, hash)) if sp.disabled_at.is_none() => Ok(Some((sp, hash))),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Service {
    /// An admin registers a service provider. Returns it, with its client secret
    /// when one was asked for (the only time the secret is visible).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn add_service_provider(
        &self,
        new: &NewServiceProvider,
        by: &Operator,
    ) -> Result<(ServiceProvider, Option<String>), ServiceProviderError> {
        by.require(OperatorRole::Admin)?;
        let auth_method = new.check()?;
        let now = self.clock.now();
        let secret = new.client_secret.then(|| self.new_token(SECRET_PREFIX));
        let mut attributes = new.attributes.clone();
        attributes.sort();
        attributes.dedup();
        let mut allowed_levels = if new.levels.is_empty() {
            vec![1, 2, 3]
        } else {
            new.levels.clone()
        };
        allowed_levels.sort_unstable();
        allowed_levels.dedup();
        let sp = ServiceProvider {
            id: Uuid::now_v7(),
            client_id: new.client_id.trim().to_owned(),
            name: new.name.trim().to_owned(),
            redirect_uris: new.redirect_uris.clone(),
            auth_method,
            jwks: new.jwks.clone(),
            jwks_uri: new.jwks_uri.clone(),
            attributes,
            allowed_levels,
            created_by: by.actor().to_audit_string(),
            created_at: now,
            disabled_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_service_provider(&sp, secret.as_deref().map(token_hash).as_deref())
            .await
            .or_duplicate(ServiceProviderError::Duplicate)?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "service_provider.added",
            None,
            json!({ "client_id": sp.client_id, "name": sp.name, "auth_method": auth_method.code(), "attributes": sp.attributes }),
        )
        .await?;
        tx.commit().await?;
        Ok((sp, secret))
    }

    /// Every service provider, by client id.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn service_providers(&self) -> Result<Vec<ServiceProvider>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.service_providers().await
    }

    /// One service provider by client id.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn service_provider(&self, client_id: &str) -> Result<ServiceProvider, StoreError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.service_provider(client_id.trim()).await?.0)
    }

    /// An admin gives a `client_secret_basic` provider a new secret (the old one
    /// stops working); returns it, the only time it is visible.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id, operator = %by.name))]
    pub async fn rotate_service_provider_secret(
        &self,
        client_id: &str,
        by: &Operator,
    ) -> Result<String, ServiceProviderError> {
        by.require(OperatorRole::Admin)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (sp, _) = enabled_provider(tx.as_mut(), client_id.trim())
            .await?
            .ok_or(ServiceProviderError::NotFound)?;
        if sp.auth_method != ClientAuth::ClientSecretBasic {
            return Err(invalid(
                "this service provider signs with its keys (private_key_jwt): it has no secret; use sp add-key",
            ));
        }
        let secret = self.new_token(SECRET_PREFIX);
        tx.set_service_provider_secret(&sp.client_id, &token_hash(&secret))
            .await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "service_provider.secret_rotated",
            None,
            json!({ "client_id": sp.client_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// An admin adds public keys to a `private_key_jwt` provider with an inline
    /// JWKS (the provider's key rotation); a key id already there is refused.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id, operator = %by.name))]
    pub async fn add_service_provider_keys(
        &self,
        client_id: &str,
        keys: &serde_json::Value,
        by: &Operator,
    ) -> Result<ServiceProvider, ServiceProviderError> {
        by.require(OperatorRole::Admin)?;
        check_public_jwks(keys)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (mut sp, _) = enabled_provider(tx.as_mut(), client_id.trim())
            .await?
            .ok_or(ServiceProviderError::NotFound)?;
        let Some(current) = sp.jwks.clone() else {
            return Err(invalid(
                "this service provider has no inline keys (it uses a jwks_uri or a client secret)",
            ));
        };
        let mut all: Vec<serde_json::Value> =
            current["keys"].as_array().cloned().unwrap_or_default();
        let kid = |k: &serde_json::Value| k.get("kid").and_then(|v| v.as_str()).map(str::to_owned);
        let mut added = Vec::new();
        for key in keys["keys"].as_array().into_iter().flatten() {
            if let Some(id) = kid(key)
                && all.iter().any(|k| kid(k).as_deref() == Some(id.as_str()))
            {
                return Err(invalid(format!("key {id:?} is registered already")));
            }
            added.extend(kid(key));
            all.push(key.clone());
        }
        let jwks = json!({ "keys": all });
        tx.set_service_provider_jwks(&sp.client_id, &jwks).await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "service_provider.keys_added",
            None,
            json!({ "client_id": sp.client_id, "kids": added }),
        )
        .await?;
        tx.commit().await?;
        sp.jwks = Some(jwks);
        Ok(sp)
    }

    /// An admin disables a service provider: no more sign-ins through it.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id, operator = %by.name))]
    pub async fn disable_service_provider(
        &self,
        client_id: &str,
        by: &Operator,
    ) -> Result<(), ServiceProviderError> {
        by.require(OperatorRole::Admin)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.disable_service_provider(client_id.trim(), now)
            .await
            .or_missing(ServiceProviderError::NotFound)?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "service_provider.disabled",
            None,
            json!({ "client_id": client_id.trim() }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Checks a JWKS document of public keys: `{"keys": [...]}`, each with `kty`,
/// none with a private part.
pub fn check_public_jwks(jwks: &serde_json::Value) -> Result<(), ServiceProviderError> {
    let keys = jwks.get("keys").and_then(|k| k.as_array());
    let ok = keys.is_some_and(|k| {
        !k.is_empty()
            && k.iter().all(|key| {
                key.get("kty").and_then(|t| t.as_str()).is_some()
                    && key.get("d").is_none()
                    && key.get("p").is_none()
            })
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "--jwks-file: a JWKS document ({\"keys\": [...]}) of public keys, each with \"kty\" and no private part",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::acceptable_url;

    #[test]
    fn redirect_addresses_are_https_or_loopback_http() {
        assert!(acceptable_url("https://sp.example.it/callback"));
        assert!(acceptable_url("http://localhost:3000/cb"));
        assert!(acceptable_url("http://127.0.0.1/cb"));
        assert!(!acceptable_url("http://sp.example.it/cb"));
        assert!(!acceptable_url("http://localhost.evil.it/cb"));
        assert!(!acceptable_url("https://sp.example.it/cb#frag"));
        assert!(!acceptable_url("https:///path"));
        assert!(!acceptable_url("javascript:alert(1)"));
        assert!(!acceptable_url("http://localhost:1@evil.example/cb"));
        assert!(!acceptable_url("https://user@sp.example.it/cb"));
        assert!(!acceptable_url("http://localhost:abc/cb"));
        assert!(acceptable_url("http://[::1]:8080/cb"));
        assert!(acceptable_url("https://sp.example.it:8443/cb?x=1"));
    }
}
