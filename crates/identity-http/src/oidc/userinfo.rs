//! The userinfo endpoint: the consented attributes of the access token's
//! holder, read now, with the pairwise `sub`; as JSON for providers registered
//! by hand, signed and encrypted (`application/jose`) for the federation's
//! relying parties.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity_service::usecases::federation::encrypted::UserinfoAnswer;
use identity_service::usecases::oidc::log::TransactionEntry;
use identity_service::usecases::oidc::tokens::UserinfoError;

use super::unavailable;
use crate::web::Ctx;

/// RFC 6750 3.1: a missing or bad token, with the challenge.
fn invalid_token(description: &str) -> Response {
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "error": "invalid_token", "error_description": description })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

pub(super) async fn userinfo(ctx: Ctx) -> Response {
    let service = ctx.service().clone();
    let entry = TransactionEntry::new(service.now(), "userinfo", "ok").ip(Some(&ctx.ip));
    let token = crate::web::bearer_token(&ctx.headers).filter(|t| !t.is_empty());
    let Some(token) = token else {
        let why = "send the access token in the Authorization header";
        let _ = service
            .oidc_log(entry.outcome("invalid_token").detail(why))
            .await;
        return invalid_token(why);
    };
    match service.oidc_userinfo_answer(token).await {
        Ok((answer, record)) => {
            let entry = entry.client(&record.client_id).holder(record.holder_id);
            if let Err(e) = service.oidc_log(entry).await {
                return unavailable(e);
            }
            match answer {
                UserinfoAnswer::Json(claims) => (
                    [(header::CACHE_CONTROL, "no-store")],
                    Json(serde_json::Value::Object(claims)),
                )
                    .into_response(),
                // A federation relying party: signed, then encrypted to it.
                UserinfoAnswer::Jose(jwe) => (
                    [
                        (header::CACHE_CONTROL, "no-store"),
                        (header::CONTENT_TYPE, "application/jose"),
                    ],
                    jwe,
                )
                    .into_response(),
            }
        }
        Err(UserinfoError::InvalidToken(why)) => {
            let _ = service
                .oidc_log(entry.outcome("invalid_token").detail(why))
                .await;
            invalid_token(why)
        }
        Err(UserinfoError::Infra(e)) => unavailable(e),
    }
}
