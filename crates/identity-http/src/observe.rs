//! Following a request: every request gets an id (the one a trusted proxy sent
//! in `x-request-id` when it is well-formed, a new one otherwise), returned in
//! the `x-request-id` response header, carried by the request's span (method,
//! matched route, status, latency) and written into the audit records the
//! request causes. One log line per request ends it; the use cases' and the
//! store's spans nest inside, with ids only. The request's duration also feeds
//! the `/metrics` histogram.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::AppState;

/// The header that carries the request id, both ways.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// Routes polled by machines: their line is logged at debug level only.
const QUIET_ROUTES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The request id the client (a proxy) sent, if it is one we can log safely:
/// 1 to 64 letters, digits, `-`, `_` or `.`.
fn incoming_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get(REQUEST_ID)?.to_str().ok()?;
    let safe = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    safe.then(|| id.to_owned())
}

/// The middleware: see the module documentation.
pub(crate) async fn observe(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // Only the methods we serve name a series: anything else is "other", so a
    // client cannot grow the metrics without bound.
    let method = match request.method().as_str() {
        m @ ("GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    // The matched pattern, never the path or the query: ids in paths would
    // multiply the series, and a query may hold a single-use code.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let request_id =
        incoming_id(request.headers()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = %request_id,
        status = Empty,
        latency_ms = Empty,
    );
    let work = identity_service::request_id::scope(request_id.clone(), next.run(request));
    let mut response = work.instrument(span.clone()).await;

    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.record("status", status);
    span.record("latency_ms", latency_ms);
    span.in_scope(|| {
        if QUIET_ROUTES.contains(&route.as_str()) {
            tracing::debug!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    });
    state.service.metrics().observe(
        "identity_http_request_duration_seconds",
        &[
            ("method", &method),
            ("route", &route),
            ("status", &status.to_string()),
        ],
        elapsed.as_secs_f64(),
    );
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_tidy_incoming_id_is_kept() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(REQUEST_ID, HeaderValue::from_str(v).unwrap());
            incoming_id(&h)
        };
        assert_eq!(with("lb-7f3a.42_x").as_deref(), Some("lb-7f3a.42_x"));
        assert_eq!(with("two words"), None);
        assert_eq!(with("x\"y"), None);
        assert_eq!(with(&"a".repeat(65)), None);
        assert_eq!(incoming_id(&HeaderMap::new()), None);
    }
}
