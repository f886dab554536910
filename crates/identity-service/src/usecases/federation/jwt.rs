//! Signed JWTs of other entities: read and verified with a JWKS they or their
//! superior published (jsonwebtoken with aws-lc-rs; no hand-written crypto).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// The signature algorithms accepted on federation statements and request
/// objects: RSA (PKCS#1 v1.5 and PSS) and ECDSA.
const ACCEPTED: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// The claims of a JWT, its signature not checked: only to learn which
/// entity or key must have signed it.
pub fn unverified_claims(jwt: &str) -> Result<Map<String, Value>, String> {
    let mut parts = jwt.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS".into());
    };
    let bytes = B64
        .decode(payload.trim_end_matches('='))
        .map_err(|e| format!("payload: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("payload: {e}"))
}

/// The key of `jwks` with `kid`, or its only key when the header names none.
fn key_in(jwks: &Value, kid: Option<&str>) -> Result<Jwk, String> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the key set has no keys")?;
    let chosen = match kid {
        Some(kid) => keys
            .iter()
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)),
        None if keys.len() == 1 => keys.first(),
        None => None,
    }
    .ok_or_else(|| format!("no key {} in the key set", kid.unwrap_or("(unnamed)")))?;
    serde_json::from_value(chosen.clone()).map_err(|e| format!("key: {e}"))
}

/// The claims of `jwt` if one of the keys of `jwks` signed it (with an
/// accepted algorithm) and, when `typ` is given, its header does not say
/// otherwise (earlier drafts of OpenID Federation, which deployed federations
/// still follow, set no `typ`). Times and audiences are left to the caller, on
/// the service's clock.
pub fn verified_claims(
    jwt: &str,
    jwks: &Value,
    typ: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| format!("header: {e}"))?;
    if !ACCEPTED.contains(&header.alg) {
        return Err(format!("algorithm {:?} is not accepted", header.alg));
    }
    if let Some(typ) = typ
        && header.typ.as_deref().is_some_and(|t| t != typ)
    {
        return Err(format!("typ must be {typ}"));
    }
    let jwk = key_in(jwks, header.kid.as_deref())?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("key: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Map<String, Value>>(jwt, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| format!("signature: {e}"))
}
