//! The provider's OpenID Federation endpoints (docs/federation.md): its entity
//! configuration at `/.well-known/openid-federation` and the resolve endpoint.
//! Errors use the federation's error document (`error`, `error_description`).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use identity_service::usecases::federation::configuration::RESOLVE_PATH;
use identity_service::usecases::federation::resolve::ResolveError;
use serde_json::{Value, json};

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-federation", get(entity_configuration))
        .route(RESOLVE_PATH, get(resolve))
}

/// A federation error document.
pub(crate) fn federation_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

fn unavailable(e: &dyn std::error::Error) -> Response {
    tracing::error!(error = %identity_service::error_chain(e), "a federation request failed");
    federation_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "try again later",
    )
}

/// The metadata the entity configuration publishes as `openid_provider`: the
/// discovery document, with the keys inline (the service adds them) instead of
/// a `jwks_uri`, and what the federation adds.
fn openid_provider(state: &AppState) -> serde_json::Map<String, Value> {
    let mut metadata = crate::oidc::provider_metadata(state);
    metadata.remove("jwks_uri");
    // Federation relying parties authenticate with their keys only.
    for name in [
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        metadata.insert(name.into(), json!(["private_key_jwt"]));
    }
    // Relying parties show the provider by these on their sign-in buttons.
    let f = &state.service.config().federation;
    metadata.insert("organization_name".into(), json!(f.organization_name));
    metadata.insert(
        "logo_uri".into(),
        json!(
            f.logo_uri
                .clone()
                .unwrap_or_else(|| format!("{}/static/logo.svg", crate::oidc::issuer(state)))
        ),
    );
    metadata.insert(
        "client_registration_types_supported".into(),
        json!(["automatic"]),
    );
    metadata.insert(
        "request_authentication_methods_supported".into(),
        json!({ "authorization_endpoint": ["request_object"] }),
    );
    metadata.insert(
        "request_authentication_signing_alg_values_supported".into(),
        json!(["RS256", "ES256"]),
    );
    metadata
}

/// The entity configuration: a signed statement about the provider. Cached by
/// clients for at most an hour (a rotated key or a new trust mark shows within
/// that time), never past its `exp`.
async fn entity_configuration(State(state): State<AppState>) -> Response {
    match state
        .service
        .entity_configuration(openid_provider(&state))
        .await
    {
        Ok(signed) => {
            let max_age = signed.lifetime_secs.min(3600);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/entity-statement+jwt".to_owned(),
                    ),
                    (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
                ],
                signed.jwt,
            )
                .into_response()
        }
        Err(e) => unavailable(&e),
    }
}

/// The resolve endpoint: `sub`, `trust_anchor`, and any number of `entity_type`.
async fn resolve(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let mut single = BTreeMap::new();
    let mut entity_types = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name == "entity_type" {
            entity_types.push(value.into_owned());
        } else {
            single.insert(name.into_owned(), value.into_owned());
        }
    }
    let get = |name: &str| single.get(name).map(String::as_str).unwrap_or_default();
    match state
        .service
        .resolve_entity(get("sub"), get("trust_anchor"), &entity_types)
        .await
    {
        Ok(jwt) => (
            [
                (header::CONTENT_TYPE, "application/resolve-response+jwt"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            jwt,
        )
            .into_response(),
        Err(ResolveError::InvalidRequest(why)) => {
            federation_error(StatusCode::BAD_REQUEST, "invalid_request", &why)
        }
        Err(ResolveError::UnknownAnchor(why)) => {
            federation_error(StatusCode::NOT_FOUND, "invalid_trust_anchor", &why)
        }
        Err(ResolveError::Resolution(e)) => {
            let status = match e.code() {
                "temporarily_unavailable" => StatusCode::BAD_GATEWAY,
                _ => StatusCode::BAD_REQUEST,
            };
            let code = match e.code() {
                "invalid_client" => "invalid_trust_chain",
                other => other,
            };
            federation_error(status, code, &e.to_string())
        }
        Err(ResolveError::Infra(e)) => unavailable(&e),
    }
}
