//! The JSON API for integrating systems, under `/api/v1`: the customer-area
//! operations (register, read a holder, change secondary attributes, list and
//! create logins, correction requests), for clients registered by operators with
//! bearer tokens and scopes. The OpenAPI document at `/api/v1/openapi.json` is
//! generated from the handlers and types below, so it cannot drift from them.

mod auth;
mod dto;
mod error;
mod holders;

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Identità digitale: customer-area API",
        description = "Holders, logins and correction requests for integrating systems. Authenticate with `Authorization: Bearer <token>` (tokens are issued by operators: `identity-admin api-client add`). Errors are one document: `{\"error\": {\"code\", \"message\", \"fields\"}}`; messages follow `Accept-Language` (Italian by default)."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "holders", description = "Registration and holder data"),
        (name = "logins", description = "A holder's logins"),
        (name = "corrections", description = "Correction requests for identity fields"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API client token (idk_...)"))
                    .build(),
            ),
        );
    }
}

/// The API's routes and the OpenAPI document describing them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(holders::register))
        .routes(routes!(holders::read, holders::update))
        .routes(routes!(holders::list_logins, holders::create_login))
        .routes(routes!(holders::list_corrections, holders::open_correction))
        .split_for_parts()
}

/// The OpenAPI document as JSON (for tests and tools).
#[must_use]
pub fn openapi_json() -> String {
    api().1.to_pretty_json().unwrap_or_default()
}

pub(crate) fn router() -> Router<AppState> {
    let (router, doc) = api();
    let json: Arc<str> = doc.to_pretty_json().unwrap_or_default().into();
    router.route(
        "/api/v1/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.to_string(),
                )
                    .into_response()
            }
        }),
    )
}
