//! The JSON API for integrating systems, under `/api/v1`: the customer-area
//! operations (register, read a holder, change secondary attributes, list and
//! create logins, correction requests), for clients registered by operators with
//! bearer tokens and scopes. The OpenAPI document at `/api/v1/openapi.json` is
//! generated from the handlers and types below, so it cannot drift from them.

mod auth;
mod dto;
mod error;
mod holders;
mod rules;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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

/// The OpenAPI document: generated from the handlers and types, with the rules
/// the server enforces on request bodies written in ([`rules`]).
fn document(doc: &utoipa::openapi::OpenApi) -> String {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    rules::state(&mut value);
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The OpenAPI document as JSON (for tests and tools).
#[must_use]
pub fn openapi_json() -> String {
    document(&api().1)
}

/// Authenticates every API call and audits it under the client's name with its
/// outcome (method, path, status), whatever the outcome: refused and failed calls
/// are on record too. If that record cannot be written (the database just went
/// away) the answer stands and the gap is logged; a call answered 503 because the
/// database is out of reach is logged without trying. Calls without a valid token are answered 401 here and
/// logged, not audited (they have no client to file them under).
async fn authenticate_and_audit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let lang = crate::web::accept_language(request.headers());
    let client = match auth::authenticate(&state, request.headers()).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            tracing::info!(path = %request.uri().path(), "API call without a valid token");
            return auth::unauthorized(lang).into_response();
        }
        Err(e) => return e.into_response(),
    };
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    // `/api/v1/holders/<id>/...`: the holder the call is about, for its trail.
    let holder = path
        .strip_prefix("/api/v1/holders/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse::<identity_core::HolderId>().ok());
    request.extensions_mut().insert(client.clone());
    let response = next.run(request).await;
    if response.extensions().get::<crate::web::Failure>() == Some(&crate::web::Failure::Unavailable)
    {
        // Writing the record would wait for the database once more, past the
        // answer's bound; the call changed nothing, and the log keeps it.
        tracing::warn!(client = %client.0.name, %method, %path, status = 503, "API call answered while the database is out of reach: logged, not audited");
        return response;
    }
    let details = serde_json::json!({
        "method": method,
        "path": path,
        "status": response.status().as_u16(),
    });
    if let Err(e) = state
        .service
        .audit_api_call(&client.0, "api.call", holder, details)
        .await
    {
        // The call's own change (if any) committed with its audit record; this
        // trail only describes the call. Answering an error now would tell the
        // client a change failed that is done, so the answer stands and the gap
        // is logged.
        tracing::error!(error = %identity_service::error_chain(&e), client = %client.0.name, %method, %path, "auditing an API call failed; the call's answer stands");
    }
    response
}

pub(crate) fn router(state: AppState) -> Router<AppState> {
    let (router, doc) = api();
    let json: Arc<str> = document(&doc).into();
    router
        .layer(axum::middleware::from_fn_with_state(
            state,
            authenticate_and_audit,
        ))
        .route(
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
