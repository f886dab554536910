//! The authorization request of the SPID profile, checked (OpenID Connect Core
//! section 3.1.2 with the profile's requirements): what the provider's
//! authorization endpoint accepts before it asks the user anything.

use std::collections::BTreeMap;

use crate::credentials::CredentialLevel;
use crate::oidc::requested_levels;

/// The longest `state` or `nonce` accepted.
pub const MAX_VALUE_LEN: usize = 512;

/// What the provider knows of the service provider a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientView {
    /// The registered client id.
    pub client_id: String,
    /// Its exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// The SPID levels it may ask for.
    pub allowed_levels: Vec<CredentialLevel>,
    /// The attributes it may ask for.
    pub attributes: Vec<String>,
}

/// A checked authorization request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorizationRequest {
    /// The service provider.
    pub client_id: String,
    /// Where the answer goes (one of the registered URIs, exactly).
    pub redirect_uri: String,
    /// Echoed back to the service provider.
    pub state: String,
    /// Put in the ID token.
    pub nonce: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The lowest level the user must sign in at.
    pub level: CredentialLevel,
    /// The levels asked for, in the order of preference of `acr_values`, among
    /// those the client may ask for: the first the identity can satisfy is
    /// performed.
    #[serde(default)]
    pub levels: Vec<CredentialLevel>,
    /// `prompt=login`: sign in again even with a session.
    pub prompt_login: bool,
    /// `prompt=consent`: ask for consent even if given before.
    pub prompt_consent: bool,
    /// The attributes asked for (in the `claims` parameter), among the allowed ones.
    pub attributes: Vec<String>,
    /// `offline_access` was asked for: a refresh token, with consent.
    pub offline_access: bool,
}

/// Why a request was refused. [`AuthorizeError::NoRedirect`] errors are shown to
/// the user (the redirect URI cannot be trusted); the others go back to the
/// service provider's redirect URI with `error`, `error_description` and `state`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// Unknown client or redirect URI not registered: never redirect.
    #[error("{0}")]
    NoRedirect(String),
    /// An OAuth error to send back to the redirect URI.
    #[error("{code}: {description}")]
    Redirect {
        /// `invalid_request`, `unsupported_response_type`, `invalid_scope`, `access_denied`.
        code: &'static str,
        /// For the service provider's developers.
        description: String,
        /// Where to send it.
        redirect_uri: String,
        /// The request's `state`, if it had one.
        state: Option<String>,
    },
}

/// Checks an authorization request's parameters against the registered client
/// (`None` when the client id is unknown or disabled).
pub fn check(
    params: &BTreeMap<String, String>,
    client: Option<&ClientView>,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let get = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(client) = client.filter(|c| get("client_id") == Some(c.client_id.as_str())) else {
        return Err(AuthorizeError::NoRedirect(
            "unknown client_id: the service provider is not registered".into(),
        ));
    };
    let Some(redirect_uri) =
        get("redirect_uri").filter(|r| client.redirect_uris.iter().any(|u| u == r))
    else {
        return Err(AuthorizeError::NoRedirect(
            "redirect_uri is missing or not registered for this service provider".into(),
        ));
    };
    let state = get("state").map(str::to_owned);
    let fail = |code: &'static str, description: &str| AuthorizeError::Redirect {
        code,
        description: description.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
    };
    if get("response_type") != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "only the authorization code flow (response_type=code) is supported",
        ));
    }
    let scopes: Vec<&str> = get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if !scopes.contains(&"openid") {
        return Err(fail("invalid_scope", "scope must include openid"));
    }
    let Some(state_value) = state.clone() else {
        return Err(fail("invalid_request", "state is required"));
    };
    // The request travels sealed in a cookie while the holder signs in: values
    // that would push it past a browser's 4 KB are refused.
    for name in ["state", "nonce"] {
        if get(name).is_some_and(|v| v.len() > MAX_VALUE_LEN) {
            return Err(fail(
                "invalid_request",
                &format!("{name} is longer than {MAX_VALUE_LEN} characters"),
            ));
        }
    }
    let Some(nonce) = get("nonce") else {
        return Err(fail("invalid_request", "nonce is required"));
    };
    let Some(code_challenge) = get("code_challenge") else {
        return Err(fail(
            "invalid_request",
            "PKCE is required: code_challenge with code_challenge_method=S256",
        ));
    };
    if get("code_challenge_method") != Some("S256") {
        return Err(fail(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    let well_formed = code_challenge.len() == 43
        && code_challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(fail(
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
        ));
    }
    let listed = requested_levels(get("acr_values").unwrap_or_default());
    if listed.is_empty() {
        return Err(fail(
            "invalid_request",
            "acr_values must name a SPID level (https://www.spid.gov.it/SpidL1, SpidL2 or SpidL3)",
        ));
    }
    // A level the client may not ask for is never performed; the floor is the
    // lowest level listed, allowed or not (never signing in below it).
    let level = listed.iter().copied().min().unwrap_or(CredentialLevel::L1);
    let levels: Vec<CredentialLevel> = listed
        .into_iter()
        .filter(|l| client.allowed_levels.contains(l))
        .collect();
    if levels.is_empty() {
        return Err(fail(
            "access_denied",
            "this service provider may not ask for that level",
        ));
    }
    let prompts: Vec<&str> = get("prompt")
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if prompts.contains(&"none") {
        return Err(fail(
            "invalid_request",
            "prompt=none is not supported: the user always takes part",
        ));
    }
    let attributes = match get("claims") {
        None => scope_attributes(&scopes, client),
        Some(text) => requested_claims(text, client).map_err(|d| fail("invalid_request", &d))?,
    };
    Ok(AuthorizationRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: state_value,
        nonce: nonce.to_owned(),
        code_challenge: code_challenge.to_owned(),
        level,
        levels,
        prompt_login: prompts.contains(&"login"),
        prompt_consent: prompts.contains(&"consent"),
        attributes,
        offline_access: scopes.contains(&"offline_access"),
    })
}

/// The attributes the standard scopes stand for (OpenID Connect Core 5.4),
/// when the request has no `claims` parameter: `profile` gives the names and
/// the birth date, `email` and `phone` their attribute. Only those the client
/// may ask for.
fn scope_attributes(scopes: &[&str], client: &ClientView) -> Vec<String> {
    let mut names: Vec<String> = scopes
        .iter()
        .flat_map(|scope| match *scope {
            "profile" => &["given_name", "family_name", "birthdate"][..],
            "email" => &["email"][..],
            "phone" => &["phone_number"][..],
            _ => &[][..],
        })
        .map(|name| (*name).to_owned())
        .filter(|name| client.attributes.contains(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether a provider session can answer a request without signing in again:
/// at level 1 an existing session at any level is reused (unless `prompt=login`);
/// levels 2 and 3 always need a sign-in made after the request arrived, so the
/// second factor is fresh. The level performed must reach the one asked for.
#[must_use]
pub fn session_answers(
    request: &AuthorizationRequest,
    performed: CredentialLevel,
    signed_in_at: chrono::DateTime<chrono::Utc>,
    request_at: chrono::DateTime<chrono::Utc>,
) -> bool {
    let fresh = signed_in_at >= request_at;
    // Reused only when level 1 is the level preferred: a request preferring a
    // higher level gets it whenever the identity can.
    let first = request.levels.first().copied().unwrap_or(request.level);
    let reusable = first == CredentialLevel::L1 && !request.prompt_login;
    performed >= request.level && (fresh || reusable)
}

/// The attributes named in a `claims` parameter (`userinfo` and `id_token`
/// members), among those the client may ask for; others are left out.
fn requested_claims(text: &str, client: &ClientView) -> Result<Vec<String>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("claims is not JSON: {e}"))?;
    let mut names: Vec<String> = ["userinfo", "id_token"]
        .iter()
        .filter_map(|member| value.get(*member).and_then(|m| m.as_object()))
        .flat_map(|m| m.keys().cloned())
        .map(|name| {
            name.strip_prefix("https://attributes.eid.gov.it/")
                .map_or(name.clone(), str::to_owned)
        })
        .filter(|name| client.attributes.contains(name))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests;
