//! The OpenID Connect provider's endpoints on the SPID profile (docs/domain.md
//! §6): discovery, the published keys, the authorization endpoint with
//! the consent page, the token, userinfo and revocation endpoints, and
//! end-session. One file per endpoint group; what they share is here.

mod authorize;
mod consent;
mod end_session;
mod level_notice;
mod token;
mod userinfo;

pub(crate) use consent::signing_in_for;
pub(crate) use level_notice::level_page;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::SameSite;
use identity_service::usecases::oidc::provider::PendingAuthorization;
use serde_json::{Value, json};

use crate::AppState;
use crate::web::{Ctx, cookie};

/// Where the browser comes back to after signing in for a service provider.
pub(crate) const CONTINUE: &str = "/oidc/continue";
/// The cookie holding the sealed authorization request while the holder signs in.
const REQUEST_COOKIE: &str = "oidcreq";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oidc/jwks", get(jwks))
        .route(
            "/oidc/authorize",
            get(authorize::from_query).post(authorize::from_form),
        )
        .route(CONTINUE, get(consent::show))
        .route("/oidc/consent", post(consent::decide))
        .route("/oidc/cancel", post(level_notice::cancel))
        .route("/oidc/token", post(token::token))
        .route("/oidc/revoke", post(token::revoke))
        .route("/oidc/introspect", post(token::introspect))
        .route(
            "/oidc/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(
            "/oidc/logout",
            get(end_session::from_query).post(end_session::from_form),
        )
        // Every request here is small (a request object is the largest): no
        // 2 MB bodies to parse, verify or log.
        .layer(axum::extract::DefaultBodyLimit::max(OIDC_BODY_LIMIT))
}

/// The largest body the provider's endpoints read.
const OIDC_BODY_LIMIT: usize = 64 * 1024;

/// The issuer: the public URL without a trailing slash.
pub(crate) fn issuer(state: &AppState) -> String {
    state.public_url.trim_end_matches('/').to_owned()
}

/// The authorization request this browser is in, if any (and not expired).
pub(crate) fn pending_request(ctx: &Ctx) -> Option<PendingAuthorization> {
    let sealed = ctx.jar.get(REQUEST_COOKIE)?;
    ctx.service().open_pending_authorization(sealed.value())
}

/// Keeps `pending` in the browser.
fn keep_request(ctx: &mut Ctx, pending: &PendingAuthorization) -> bool {
    let Some(sealed) = ctx.service().seal_pending_authorization(pending) else {
        return false;
    };
    let secure = ctx.state.secure();
    ctx.jar =
        std::mem::take(&mut ctx.jar).add(cookie(REQUEST_COOKIE, sealed, secure, SameSite::Lax));
    true
}

/// `resp` (a page whose form ends in a redirect to the service provider at
/// `redirect_uri`) with its Content-Security-Policy allowing that origin as a
/// form action.
fn allowing_form_action_to(mut resp: Response, redirect_uri: &str) -> Response {
    let origin = url::Url::parse(redirect_uri)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let csp = crate::headers::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    resp
}

/// Forgets the authorization request.
fn forget_request(ctx: &mut Ctx) {
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).remove(cookie(
        REQUEST_COOKIE,
        String::new(),
        secure,
        SameSite::Lax,
    ));
}

/// The response to the service provider at `redirect_uri` (registered, checked
/// before): `params` and the issuer (RFC 9207) added to its query.
fn back_to_provider(state: &AppState, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        query.append_pair("iss", &issuer(state));
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, url.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// An OAuth error sent back to the service provider, with the request's state.
fn error_to_provider(
    state: &AppState,
    redirect_uri: &str,
    code: &str,
    description: &str,
    request_state: Option<&str>,
) -> Response {
    let mut params = vec![("error", code), ("error_description", description)];
    if let Some(s) = request_state {
        params.push(("state", s));
    }
    back_to_provider(state, redirect_uri, &params)
}

/// An OAuth error document (token, revocation, userinfo endpoints).
fn error_document(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

/// The storage failed: `temporarily_unavailable`, the detail in the log.
fn unavailable(e: impl Into<identity_service::InfraError>) -> Response {
    let e: identity_service::InfraError = e.into();
    tracing::error!(error = %identity_service::error_chain(&e), "an OpenID Connect request failed");
    error_document(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "try again later",
    )
}

/// The provider's metadata (OpenID Connect Discovery 1.0), as the discovery
/// document and the entity configuration's `openid_provider` share it.
pub(crate) fn provider_metadata(state: &AppState) -> serde_json::Map<String, Value> {
    use identity_service::usecases::oidc::jwe::{ENCRYPTION_ALGS, ENCRYPTION_ENCS};
    let iss = issuer(state);
    let at = |path: &str| format!("{iss}{path}");
    let claims: Vec<Value> = std::iter::once(json!("sub"))
        .chain(
            identity_service::usecases::service_providers::ATTRIBUTES
                .iter()
                .map(|name| json!(identity_service::usecases::oidc::claims::claim_name(name))),
        )
        .collect();
    let levels: Vec<&str> = identity_core::CredentialLevel::ALL
        .iter()
        .map(|l| identity_core::oidc::acr_of(*l))
        .collect();
    let document = json!({
        "issuer": iss,
        "authorization_endpoint": at("/oidc/authorize"),
        "token_endpoint": at("/oidc/token"),
        "userinfo_endpoint": at("/oidc/userinfo"),
        "jwks_uri": at("/oidc/jwks"),
        "revocation_endpoint": at("/oidc/revoke"),
        "introspection_endpoint": at("/oidc/introspect"),
        "end_session_endpoint": at("/oidc/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "id_token_encryption_alg_values_supported": ENCRYPTION_ALGS,
        "id_token_encryption_enc_values_supported": ENCRYPTION_ENCS,
        "userinfo_signing_alg_values_supported": ["RS256"],
        "userinfo_encryption_alg_values_supported": ENCRYPTION_ALGS,
        "userinfo_encryption_enc_values_supported": ENCRYPTION_ENCS,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": false,
        "request_object_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "revocation_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": levels,
        "scopes_supported": ["openid", "offline_access", "profile", "email", "phone"],
        "claims_parameter_supported": true,
        "claims_supported": claims,
        "prompt_values_supported": ["consent", "login"],
        "ui_locales_supported": ["it", "en"],
        "authorization_response_iss_parameter_supported": true,
    });
    document.as_object().cloned().unwrap_or_default()
}

/// The provider's metadata (OpenID Connect Discovery 1.0).
async fn discovery(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Json(Value::Object(provider_metadata(&state))),
    )
        .into_response()
}

/// The JWKS: the keys that verify the provider's signatures (current and
/// recently retired ones). Clients may cache it for an hour; a retired key
/// stays published for a day.
async fn jwks(State(state): State<AppState>) -> Response {
    match state.service.jwks().await {
        Ok(keys) => (
            [
                (header::CACHE_CONTROL, "public, max-age=3600"),
                (header::CONTENT_TYPE, "application/jwk-set+json"),
            ],
            Json(keys),
        )
            .into_response(),
        Err(e) => unavailable(e),
    }
}
