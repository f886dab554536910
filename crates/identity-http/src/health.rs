//! `/healthz` (the process answers), `/readyz` (the database answers and has
//! every migration of this build) and `/metrics` (Prometheus text format).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The service's counters and histograms, with the outbox read now.
async fn metrics(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    use identity_service::OutboxStatus;
    let mut gauges = Vec::new();
    if let Ok(mut tx) = state.service.store().begin_read().await {
        for (status, label) in [
            (OutboxStatus::Pending, "pending"),
            (OutboxStatus::Failed, "failed"),
        ] {
            match tx.outbox_count(status).await {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a gauge; counts stay far below 2^52"
                )]
                Ok(n) => gauges.push((
                    "identity_outbox_messages",
                    vec![("state", label.to_owned())],
                    n as f64,
                )),
                Err(e) => tracing::warn!(error = %e, "outbox count for /metrics"),
            }
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.service.metrics().render(&gauges),
    )
        .into_response()
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// How long `/readyz` waits for the database: a probe must hear "not ready"
/// promptly while the database is down, not after the pool's acquire timeout.
const READINESS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let store = state.service.store();
    let ping = tokio::time::timeout(READINESS_WAIT, store.ping())
        .await
        .unwrap_or_else(|_| {
            Err(identity_service::StoreError::Unavailable(
                "no answer within the readiness wait".into(),
            ))
        });
    match ping {
        Ok(()) => match store.pending_migrations().await {
            Ok(0) => (
                StatusCode::OK,
                Json(json!({ "status": "ok", "database": "ok", "migrations": "applied" })),
            ),
            Ok(n) => (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "database": "ok", "migrations": format!("{n} pending") }),
                ),
            ),
            Err(e) => {
                tracing::error!(error = %e, "readiness check failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({ "status": "unavailable", "database": "error" })),
                )
            }
        },
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "error" })),
            )
        }
    }
}
