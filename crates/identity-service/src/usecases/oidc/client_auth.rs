//! How a service provider proves who it is at the token endpoint:
//! `private_key_jwt` (RFC 7523: a short-lived JWT signed with one of its
//! registered keys, accepted once) or, for development, `client_secret_basic`.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use crate::error::{InfraError, infra_error};
use crate::model::{ClientAuth, ServiceProvider};
use crate::service::Service;
use crate::usecases::api_clients::token_hash;
use crate::usecases::service_providers::enabled_provider;

/// The only client assertion type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest an assertion may live (from now to its `exp`).
pub const MAX_ASSERTION_LIFETIME: Duration = Duration::minutes(60);
/// Clock difference tolerated between the provider and a service provider.
pub const CLOCK_SKEW: Duration = Duration::seconds(60);

/// Why a client was not authenticated: always `invalid_client` to the caller;
/// the reason is for the log.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    /// The client is unknown, disabled, uses another method, or its proof is wrong.
    #[error("invalid_client: {0}")]
    InvalidClient(String),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ClientAuthError);

fn invalid(reason: impl Into<String>) -> ClientAuthError {
    ClientAuthError::InvalidClient(reason.into())
}

/// The claims of a client assertion that are checked here (the library checks
/// the signature, the issuer and the audience).
#[derive(Debug, serde::Deserialize)]
struct AssertionClaims {
    sub: String,
    jti: Option<String>,
    exp: i64,
    iat: Option<i64>,
    nbf: Option<i64>,
}

/// The registered key that signed an assertion: the one with its `kid`, or the
/// only registered key when the header names none.
fn key_for<'a>(set: &'a JwkSet, kid: Option<&str>) -> Option<&'a Jwk> {
    match kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
}

/// The registered key of `sp` with `kid` (or its only key), to verify what it signed.
fn registered_key(sp: &ServiceProvider, kid: Option<&str>) -> Result<DecodingKey, ClientAuthError> {
    let Some(jwks) = sp.jwks.clone() else {
        return Err(invalid("keys published at a jwks_uri are not fetched yet"));
    };
    let set: JwkSet =
        serde_json::from_value(jwks).map_err(|e| invalid(format!("registered keys: {e}")))?;
    let jwk =
        key_for(&set, kid).ok_or_else(|| invalid("no registered key matches the signature"))?;
    DecodingKey::from_jwk(jwk).map_err(|e| invalid(format!("registered key: {e}")))
}

/// The claims of `jwt`, signed (RS256 or ES256) with a registered key of `sp`,
/// issued by it to `audience`, carrying the `required` registered claims. Its
/// times are left to the caller, on the service's clock.
fn signed_by<T: serde::de::DeserializeOwned>(
    sp: &ServiceProvider,
    jwt: &str,
    audiences: &[&str],
    required: &[&str],
) -> Result<T, ClientAuthError> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| invalid(format!("header: {e}")))?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
        return Err(invalid("signed with RS256 or ES256 only"));
    }
    let key = registered_key(sp, header.kid.as_deref())?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&sp.client_id]);
    validation.set_audience(audiences);
    validation.validate_exp = false;
    validation.set_required_spec_claims(required);
    jsonwebtoken::decode::<T>(jwt, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| invalid(format!("signed token: {e}")))
}

fn instant(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

impl Service {
    /// The enabled service provider `client_id` (read only), or `invalid_client`.
    async fn enabled_client(&self, client_id: &str) -> Result<ServiceProvider, ClientAuthError> {
        let mut read = self.store.begin_read().await?;
        let found = enabled_provider(read.as_mut(), client_id).await?;
        found
            .map(|(sp, _)| sp)
            .ok_or_else(|| invalid("unknown or disabled client"))
    }

    /// Authenticates a service provider by a `private_key_jwt` client assertion
    /// addressed to `token_endpoint`: signed (RS256 or ES256) with one of its
    /// registered keys, issued by and about itself, unexpired, living at most
    /// [`MAX_ASSERTION_LIFETIME`], and never seen before (its `jti`).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn authenticate_client_assertion(
        &self,
        assertion_type: &str,
        assertion: &str,
        token_endpoint: &str,
    ) -> Result<ServiceProvider, ClientAuthError> {
        self.authenticate_client_assertion_to(assertion_type, assertion, &[token_endpoint])
            .await
    }

    /// [`Service::authenticate_client_assertion`] with an assertion addressed
    /// to any of `audiences` (the revocation and introspection endpoints take
    /// their own URL, as the SPID relying parties send it, or the token
    /// endpoint's).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn authenticate_client_assertion_to(
        &self,
        assertion_type: &str,
        assertion: &str,
        audiences: &[&str],
    ) -> Result<ServiceProvider, ClientAuthError> {
        if assertion_type != JWT_BEARER {
            return Err(invalid("client_assertion_type must be jwt-bearer"));
        }
        // Who it claims to be, read before the signature is checked only to find
        // the key that must have signed it.
        let claimed = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(assertion)
            .map_err(|e| invalid(format!("claims: {e}")))?
            .claims;
        let client_id = claimed
            .get("iss")
            .and_then(|v| v.as_str())
            .ok_or_else(|| invalid("iss is missing"))?
            .to_owned();
        // Everything is checked on a read transaction; only the jti is written,
        // in a short transaction of its own (an anonymous caller never holds the
        // SQLite write lock while a signature is checked).
        let sp = self.enabled_client(&client_id).await?;
        if sp.auth_method != ClientAuth::PrivateKeyJwt {
            return Err(invalid("this client authenticates with its secret"));
        }
        // Time is checked below on the service's clock; RFC 7523 section 3
        // requires these claims to be there.
        let claims: AssertionClaims =
            signed_by(&sp, assertion, audiences, &["iss", "sub", "aud", "exp"])?;
        if claims.sub != client_id {
            return Err(invalid("sub must be the client id"));
        }
        let now = self.clock.now();
        let exp = instant(claims.exp).ok_or_else(|| invalid("exp"))?;
        if exp + CLOCK_SKEW < now {
            return Err(invalid("the assertion expired"));
        }
        let not_before = [claims.nbf, claims.iat]
            .into_iter()
            .flatten()
            .filter_map(instant)
            .max();
        if not_before.is_some_and(|t| t > now + CLOCK_SKEW) {
            return Err(invalid("the assertion is not valid yet"));
        }
        // Its life counts from when it was issued (the client's clock), or from
        // now when it does not say.
        let issued = claims
            .iat
            .and_then(instant)
            .unwrap_or(now)
            .min(now + CLOCK_SKEW);
        if exp > issued + MAX_ASSERTION_LIFETIME + CLOCK_SKEW {
            return Err(invalid("the assertion lives too long"));
        }
        let jti = claims
            .jti
            .filter(|j| !j.is_empty() && j.len() <= 255)
            .ok_or_else(|| invalid("jti is required"))?;
        let mut tx = self.store.begin().await?;
        if !tx
            .record_assertion_jti(&client_id, &jti, exp + CLOCK_SKEW)
            .await?
        {
            return Err(invalid("the assertion was used already"));
        }
        tx.commit().await?;
        Ok(sp)
    }

    /// The parameters of a signed request object (OpenID Connect Core 6.1, the
    /// `request` parameter) of `client_id`: signed with RS256 or ES256 by one of
    /// its registered keys, issued by it, addressed to `issuer`, with an `exp` at
    /// most an hour away.
    /// String values are kept as they are; others (the `claims` object) as JSON.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn verify_request_object(
        &self,
        client_id: &str,
        request: &str,
        issuer: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, ClientAuthError> {
        let sp = self.enabled_client(client_id).await?;
        let claims: serde_json::Map<String, serde_json::Value> =
            signed_by(&sp, request, &[issuer], &["iss", "aud", "exp"])?;
        let now = self.clock.now();
        // A request object is short-lived, like an assertion: expired or
        // living too long, it is refused (it could be replayed until then).
        let exp = claims
            .get("exp")
            .and_then(serde_json::Value::as_i64)
            .and_then(instant)
            .ok_or_else(|| invalid("the request object's exp is not a time"))?;
        if exp + CLOCK_SKEW < now {
            return Err(invalid("the request object expired"));
        }
        if exp > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW {
            return Err(invalid("the request object lives too long"));
        }
        Ok(claims
            .into_iter()
            .filter(|(name, _)| {
                !["iss", "aud", "exp", "iat", "nbf", "jti"].contains(&name.as_str())
            })
            .map(|(name, value)| match value {
                serde_json::Value::String(s) => (name, s),
                other => (name, other.to_string()),
            })
            .collect())
    }

    /// Authenticates a development service provider by its client secret
    /// (`client_secret_basic`), compared in constant time.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client_id))]
    pub async fn authenticate_client_secret(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<ServiceProvider, ClientAuthError> {
        let mut tx = self.store.begin_read().await?;
        let (sp, hash) = enabled_provider(tx.as_mut(), client_id)
            .await?
            .ok_or_else(|| invalid("unknown or disabled client"))?;
        let matches =
            hash.is_some_and(|h| crate::constant_time(h.as_bytes(), token_hash(secret).as_bytes()));
        if sp.auth_method != ClientAuth::ClientSecretBasic || !matches {
            return Err(invalid("wrong client secret"));
        }
        Ok(sp)
    }
}
