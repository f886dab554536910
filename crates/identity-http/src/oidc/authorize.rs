//! The authorization endpoint: the request (query, form, or a signed request
//! object) is checked; a bad client or redirect URI gets a page here, other
//! errors go back to the service provider; a good request is kept sealed in
//! the browser and the holder goes on to sign in and consent.

use std::collections::BTreeMap;

use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::SubsecRound as _;
use identity_core::oidc::authorize::{AuthorizeError, check};
use identity_service::usecases::federation::registration::RegistrationError;
use identity_service::usecases::oidc::log::TransactionEntry;
use identity_service::usecases::oidc::provider::PendingAuthorization;

use super::{CONTINUE, error_to_provider, issuer, keep_request};
use crate::web::{Ctx, Page, see_other};
use identity_service::InfraError;
use identity_words::L;

pub(super) async fn from_query(
    ctx: Ctx,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Page {
    authorize(ctx, headers, params).await
}

pub(super) async fn from_form(
    ctx: Ctx,
    headers: HeaderMap,
    Form(params): Form<BTreeMap<String, String>>,
) -> Page {
    authorize(ctx, headers, params).await
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

/// The answer when a relying party's trust chain did not resolve: its
/// `redirect_uri` cannot be trusted, so the OAuth error is shown here (a page
/// for the holder, or the error document for a client asking for JSON), with
/// the federation error code.
fn federation_refused(mut ctx: Ctx, accept_json: bool, code: &str, detail: &str) -> Response {
    let status = if code == "temporarily_unavailable" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::BAD_REQUEST
    };
    if accept_json {
        return super::error_document(status, code, detail);
    }
    let c = ctx.selfcare_chrome(false);
    let text = match code {
        "temporarily_unavailable" => L(
            "Non riusciamo a verificare ora il servizio da cui provieni nella federazione SPID (errore temporarily_unavailable). Riprova tra qualche minuto.",
            "We cannot verify the service you came from in the SPID federation right now (error temporarily_unavailable). Try again in a few minutes.",
        ),
        "unauthorized_client" => L(
            "Il servizio da cui provieni fa parte della federazione SPID ma non è autorizzato ad accedere con la tua identità (errore unauthorized_client). Torna al servizio e segnalaglielo.",
            "The service you came from belongs to the SPID federation but is not authorised to sign you in (error unauthorized_client). Go back to the service and tell it.",
        ),
        _ => L(
            "Il servizio da cui provieni non risulta riconosciuto nella federazione SPID, quindi non possiamo farti accedere (errore invalid_client). Torna al servizio e segnalaglielo.",
            "The service you came from is not recognised in the SPID federation, so we cannot sign you in to it (error invalid_client). Go back to the service and tell it.",
        ),
    };
    let mut resp = ctx.message(
        c,
        L("Servizio non riconosciuto", "Service not recognised"),
        text,
        None,
    );
    *resp.status_mut() = status;
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

async fn authorize(mut ctx: Ctx, headers: HeaderMap, mut params: BTreeMap<String, String>) -> Page {
    let service = ctx.service().clone();
    let now = service.now();
    let client_id = params.get("client_id").cloned().unwrap_or_default();
    let ip = ctx.ip.clone();
    // An entity id not registered here (or whose registration expired) is
    // recognised through its trust chain first.
    match service
        .register_federation_client(&client_id, Some(&ip))
        .await
    {
        Ok(_) => {}
        Err(RegistrationError::Refused(e)) => {
            let json = headers
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
            return Ok(federation_refused(ctx, json, e.code(), &e.to_string()));
        }
        Err(RegistrationError::Infra(e)) => return Err(e.into()),
    }
    let client = service.oidc_client(&client_id).await?;
    let federated = client.is_some() && service.federation_client(&client_id).await?.is_some();
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
    let object = params.remove("request");
    if federated && object.is_none() {
        // The federation's relying parties must sign their requests.
        object_error = Some("a signed request object (request) is required".to_owned());
    }
    if let Some(object) = object {
        match service
            .verify_request_object(&client_id, &object, &issuer(&ctx.state))
            .await
        {
            Ok(inner) => {
                // What is both inside and outside must agree: client_id and
                // response_type (OpenID Connect Core 6.1, where the object's
                // scope wins); for the federation's relying parties scope too
                // (the SPID rules).
                let compared: &[&str] = if federated {
                    &["client_id", "response_type", "scope"]
                } else {
                    &["client_id", "response_type"]
                };
                let mismatch = compared.iter().copied().find(|name| {
                    let outer = params.get(*name).or(if *name == "client_id" {
                        Some(&client_id)
                    } else {
                        None
                    });
                    matches!((outer, inner.get(*name)), (Some(o), Some(i)) if o != i)
                });
                let missing = federated
                    .then(|| {
                        ["client_id", "response_type", "scope"]
                            .into_iter()
                            .find(|name| !inner.contains_key(*name))
                    })
                    .flatten();
                if let Some(name) = mismatch {
                    object_error = Some(format!(
                        "{name} differs inside and outside the request object"
                    ));
                } else if let Some(name) = missing {
                    object_error = Some(format!("the request object has no {name}"));
                }
                if object_error.is_some() {
                    // The object verified: its redirect URI (still checked
                    // against the registered ones) and state carry the error
                    // back to the relying party.
                    params.extend(
                        inner
                            .into_iter()
                            .filter(|(name, _)| name == "redirect_uri" || name == "state"),
                    );
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
