//! # identity-http
//!
//! The HTTP adapter: an axum [`Router`] over the service layer. For now it serves
//! the home page and the health endpoints; the registration pages, customer area,
//! selfcare panel, JSON API and OpenID Connect endpoints are added here, one router
//! per feature, merged in [`app`].

mod account;
mod assets;
mod headers;
mod health;
mod home;
mod texts;
mod web;

use std::future::Future;
use std::net::SocketAddr;

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
    let router = Router::new()
        .merge(home::router())
        .merge(assets::router())
        .merge(account::router())
        .merge(health::router())
        .with_state(state);
    headers::secure(router, https)
}

/// Serves `app(state)` on `listener` until `shutdown` completes, with the client
/// address available to handlers (rate limits, access records).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
