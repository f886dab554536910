//! # identity-http
//!
//! The HTTP adapter: an axum [`Router`] over the service layer, one router per
//! feature, merged in [`app`]:
//!
//! - `home`: `/` and the privacy notice `/privacy`;
//! - `register`: the registration form `/register` and its result page;
//! - `account`: the customer area `/account/...`, one module per section (sign-in
//!   and sign-out, holder data, contacts, logins, password, privacy, corrections,
//!   orders, the digital-identity request, email verification, closure);
//! - `recovery`: the lost-account pages `/account/recover/...` and the password reset;
//! - `selfcare`: the digital identity's panel `/selfcare/...` with its own sign-in
//!   (password, then the app's code or the security key), and what it offers
//!   without signing in (emergency block, recovery of username, password and
//!   emergency code);
//! - `oidc`: the OpenID Connect provider (discovery, authorize, consent, token,
//!   userinfo, JWKS, revocation, end session);
//! - `api`: the JSON API `/api/v1/...` with its OpenAPI document;
//! - `assets`: `/static/...` (the style sheet, the WebAuthn script);
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//!
//! Around them: `observe` (the request's id, span, log line and latency metric),
//! the security headers, and for the pages the layer that renders a failed
//! handler as the "temporary error", "busy" or "temporarily unavailable" page.
//! Pages are server-rendered and work without JavaScript. [`serve`] runs them on
//! the `server` loop, which bounds how long a slow client may hold a connection.

#![deny(missing_docs)]

mod account;
mod api;
mod assets;
mod federation;
mod form;
mod headers;
mod health;
mod home;
mod observe;
mod oidc;
mod recovery;
mod register;
mod register_fields;
mod selfcare;
pub mod server;
mod web;

use std::future::Future;

pub use api::openapi_json;
use axum::Router;
use identity_service::Service;
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The use cases.
    pub service: Service,
    /// The external base URL (for links).
    pub public_url: String,
    /// The header a trusted reverse proxy puts the client's address in (lower
    /// case); `None` uses the TCP peer's address.
    pub client_ip_header: Option<String>,
}

impl AppState {
    /// Whether the site is served over https (cookies get `Secure`, responses HSTS).
    #[must_use]
    pub fn secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The whole application: every feature's router merged in one place, behind the
/// security headers (HSTS too when the public URL is https).
pub fn app(state: AppState) -> Router {
    let https = state.public_url.starts_with("https://");
    // The pages: a handler's failure renders as a page in the user's language.
    let pages = Router::new()
        .merge(home::router())
        .merge(register::router())
        .merge(account::router())
        .merge(recovery::router())
        .merge(selfcare::router())
        .merge(oidc::router())
        .merge(federation::router())
        .layer(axum::middleware::from_fn(web::failure_pages));
    let router = Router::new()
        .merge(pages)
        .merge(assets::router())
        .merge(api::router(state.clone()))
        .merge(health::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state);
    headers::secure(router, https)
}

/// Serves `app(state)` on `listener` until `shutdown` completes, with the client
/// address available to handlers (rate limits, access records) and the limits
/// on slow clients of [`server`] (headers within
/// [`server::HEADER_READ_TIMEOUT`], a whole request within
/// [`server::REQUEST_TIMEOUT`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::run(listener, app(state), shutdown).await
}
