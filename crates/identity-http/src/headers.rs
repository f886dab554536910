//! Security headers on every response (unless a handler set its own).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// Only our own scripts, styles, images and forms; never framed; no referrer.
pub(crate) const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

fn layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Wraps `router` with the headers; HSTS only when served over https.
pub(crate) fn secure(router: Router, https: bool) -> Router {
    let router = router
        .layer(layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if https {
        router.layer(layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        router
    }
}
