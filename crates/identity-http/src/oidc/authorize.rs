//! The authorization endpoint: the request (query, form, or a signed request
//! object) is checked; a bad client or redirect URI gets a page here, other
//! errors go back to the service provider; a good request is kept sealed in
//! the browser and the holder goes on to sign in and consent.

use std::collections::BTreeMap;

use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::SubsecRound as _;
use identity_core::oidc::authorize::{AuthorizeError, check};
use identity_service::usecases::oidc::log::TransactionEntry;
use identity_service::usecases::oidc::provider::PendingAuthorization;

use super::{CONTINUE, error_to_provider, issuer, keep_request};
use crate::web::{Ctx, Page, see_other};
use identity_service::InfraError;
use identity_words::L;

pub(super) async fn from_query(ctx: Ctx, Query(params): Query<BTreeMap<String, String>>) -> Page {
    authorize(ctx, params).await
}

pub(super) async fn from_form(ctx: Ctx, Form(params): Form<BTreeMap<String, String>>) -> Page {
    authorize(ctx, params).await
}

/// A page for the holder when the request cannot go back to the service provider.
fn refused_here(mut ctx: Ctx, detail: &str) -> Response {
    tracing::info!(detail, "authorization request refused without redirect");
    let c = ctx.selfcare_chrome(false);
    let mut resp = ctx.message(
        c,
        L("Richiesta di accesso non valida", "Invalid sign-in request"),
        L(
            "Il servizio da cui provieni ha inviato una richiesta di accesso che non possiamo accettare (servizio non registrato o indirizzo di ritorno non valido). Torna al servizio e riprova; se il problema continua, segnalalo al servizio.",
            "The service you came from sent a sign-in request we cannot accept (unregistered service or invalid return address). Go back to the service and try again; if it keeps happening, tell the service.",
        ),
        None,
    );
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp
}

/// The string claims of a JWT, its signature unchecked.
fn unverified_claims(jwt: &str) -> BTreeMap<String, String> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).ok()
        })
        .map(|claims| {
            claims
                .into_iter()
                .filter(|(name, _)| name == "redirect_uri" || name == "state")
                .filter_map(|(name, value)| Some((name, value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

async fn authorize(mut ctx: Ctx, mut params: BTreeMap<String, String>) -> Page {
    let service = ctx.service().clone();
    let now = service.now();
    let client_id = params.get("client_id").cloned().unwrap_or_default();
    let client = service.oidc_client(&client_id).await?;
    let ip = ctx.ip.clone();
    let known = client.is_some();
    let log = |outcome: &str, detail: &str| {
        let mut entry = TransactionEntry::new(now, "authorize", outcome)
            .detail(detail)
            .ip(Some(&ip));
        if known {
            entry = entry.client(&client_id);
        }
        entry
    };
    // A signed request object's parameters win over the plain ones (OpenID
    // Connect Core 6.1); one that does not verify is refused.
    let mut object_error = None;
    if let Some(object) = params.remove("request") {
        match service
            .verify_request_object(&client_id, &object, &issuer(&ctx.state))
            .await
        {
            Ok(inner) => {
                let mismatch = inner
                    .get("client_id")
                    .is_some_and(|inner_id| *inner_id != client_id);
                if mismatch {
                    object_error = Some("the request object names another client_id".to_owned());
                } else {
                    params.extend(inner);
                }
            }
            Err(e) => {
                // Its redirect URI and state are used only to answer with the
                // error: the URI must still be one registered for the client.
                params.extend(unverified_claims(&object));
                object_error = Some(e.to_string());
            }
        }
    }
    if params.contains_key("request_uri") {
        object_error = Some("request_uri is not supported; send the request object inline".into());
    }
    let view = client.as_ref().map(|(v, _)| v);
    let checked = check(&params, view);
    let checked = match (checked, object_error) {
        (Ok(r), Some(why)) => Err(AuthorizeError::Redirect {
            code: "invalid_request_object",
            description: why,
            redirect_uri: r.redirect_uri,
            state: Some(r.state),
        }),
        (
            Err(AuthorizeError::Redirect {
                redirect_uri,
                state,
                ..
            }),
            Some(why),
        ) => Err(AuthorizeError::Redirect {
            code: "invalid_request_object",
            description: why,
            redirect_uri,
            state,
        }),
        (other, _) => other,
    };
    Ok(match checked {
        Err(AuthorizeError::NoRedirect(why)) => {
            let _ = service.oidc_log(log("invalid_request", &why)).await;
            refused_here(ctx, &why)
        }
        Err(AuthorizeError::Redirect {
            code,
            description,
            redirect_uri,
            state,
        }) => {
            if let Err(e) = service.oidc_log(log(code, &description)).await {
                return Err(e.into());
            }
            let resp = error_to_provider(
                &ctx.state,
                &redirect_uri,
                code,
                &description,
                state.as_deref(),
            );
            ctx.respond(resp)
        }
        Ok(request) => {
            let Some((_, name)) = client else {
                return Ok(refused_here(ctx, "client vanished"));
            };
            let pending = PendingAuthorization {
                id: uuid::Uuid::new_v4().simple().to_string(),
                request,
                service_name: name,
                // As precise as the stored sign-in times (microseconds), so a
                // sign-in in the same instant counts as after the request.
                started_at: now.trunc_subsecs(6),
            };
            if let Err(e) = service.oidc_log(log("ok", "request accepted")).await {
                return Err(e.into());
            }
            if !keep_request(&mut ctx, &pending) {
                return Err(
                    InfraError::Config("the authorization request could not be sealed").into(),
                );
            }
            ctx.respond(see_other(CONTINUE))
        }
    })
}
