//! The OpenID Connect provider's endpoints, built step by step (issue 6): the
//! published signing keys first.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/oidc/jwks", get(jwks))
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
        Err(e) => {
            tracing::error!(error = %e, "publishing the signing keys failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "temporarily_unavailable" })),
            )
                .into_response()
        }
    }
}
