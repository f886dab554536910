//! The token and revocation endpoints: the service provider authenticates
//! (`private_key_jwt`, or `client_secret_basic` for development), then
//! exchanges a code or a refresh token, or revokes a token. Every request is in
//! the transaction log.

use axum::Json;
use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use identity_service::model::ServiceProvider;
use identity_service::usecases::oidc::authorization_codes::GrantError;
use identity_service::usecases::oidc::client_auth::ClientAuthError;
use identity_service::usecases::oidc::log::TransactionEntry;
use identity_service::usecases::oidc::tokens::{TokenError, TokenResponse};
use serde_json::json;

use super::{error_document, issuer, unavailable};
use crate::web::Ctx;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    refresh_token: String,
    client_id: String,
    client_assertion_type: String,
    client_assertion: String,
    token: String,
}

/// `Basic` credentials: client id and secret, each form-urlencoded (RFC 6749 2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Why authentication failed, as the caller sees it.
enum Refusal {
    Request(&'static str),
    Client(String),
    Failed(identity_service::InfraError),
}

/// Authenticates the calling service provider by exactly one method; a client
/// assertion may be addressed to the endpoint called (`path`) or, as before,
/// to the token endpoint.
async fn authenticate(ctx: &Ctx, f: &TokenForm, path: &str) -> Result<ServiceProvider, Refusal> {
    let service = &ctx.service();
    let basic = basic_credentials(&ctx.headers);
    let outcome = match (basic, f.client_assertion.is_empty()) {
        (Some(_), false) => return Err(Refusal::Request("use one client authentication method")),
        (Some((id, secret)), true) => service.authenticate_client_secret(&id, &secret).await,
        (None, false) => {
            let called = format!("{}{path}", issuer(&ctx.state));
            let token_endpoint = format!("{}/oidc/token", issuer(&ctx.state));
            let sp = service
                .authenticate_client_assertion_to(
                    &f.client_assertion_type,
                    &f.client_assertion,
                    &[&called, &token_endpoint],
                )
                .await;
            // A client_id sent beside the assertion must be the same client.
            match sp {
                Ok(sp) if !f.client_id.is_empty() && f.client_id != sp.client_id => Err(
                    ClientAuthError::InvalidClient("client_id differs from the assertion".into()),
                ),
                other => other,
            }
        }
        (None, true) => return Err(Refusal::Client("no client authentication".into())),
    };
    outcome.map_err(|e| match e {
        ClientAuthError::InvalidClient(why) => Refusal::Client(why),
        ClientAuthError::Infra(e) => Refusal::Failed(e),
    })
}

fn refusal_response(r: Refusal) -> Response {
    match r {
        Refusal::Request(why) => error_document(StatusCode::BAD_REQUEST, "invalid_request", why),
        Refusal::Client(_) => {
            let mut resp = error_document(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"oidc\""),
            );
            resp
        }
        Refusal::Failed(e) => unavailable(e),
    }
}

fn token_body(t: &TokenResponse) -> Response {
    let mut body = json!({
        "access_token": t.access_token,
        "token_type": "Bearer",
        "expires_in": t.expires_in,
    });
    if let Some(id) = &t.id_token {
        body["id_token"] = json!(id);
    }
    if let Some(r) = &t.refresh_token {
        body["refresh_token"] = json!(r);
    }
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

/// Logs the request, then answers. A log that cannot be written fails the
/// request (the log is a legal record).
async fn logged(ctx: &Ctx, entry: TransactionEntry, resp: Response) -> Response {
    match ctx.service().oidc_log(entry).await {
        Ok(()) => resp,
        Err(e) => unavailable(e),
    }
}

/// The form, or why the body is not one.
fn form_of(form: Result<Form<TokenForm>, FormRejection>) -> Result<TokenForm, String> {
    form.map(|Form(f)| f)
        .map_err(|e| format!("the body must be application/x-www-form-urlencoded: {e}"))
}

/// A `400` OAuth error `code`, logged with its reason.
async fn logged_refusal(ctx: &Ctx, entry: TransactionEntry, code: &str, why: &str) -> Response {
    let resp = error_document(StatusCode::BAD_REQUEST, code, why);
    logged(ctx, entry.outcome(code).detail(why), resp).await
}

pub(super) async fn token(ctx: Ctx, form: Result<Form<TokenForm>, FormRejection>) -> Response {
    let f = match form_of(form) {
        Ok(f) => f,
        Err(why) => return error_document(StatusCode::BAD_REQUEST, "invalid_request", &why),
    };
    let service = ctx.service().clone();
    let entry = TransactionEntry::new(service.now(), "token", "ok").ip(Some(&ctx.ip));
    let sp = match authenticate(&ctx, &f, "/oidc/token").await {
        Ok(sp) => sp,
        Err(r) => {
            let (code, why) = match &r {
                Refusal::Request(why) => ("invalid_request", (*why).to_owned()),
                Refusal::Client(why) => ("invalid_client", why.clone()),
                Refusal::Failed(_) => return refusal_response(r),
            };
            let entry = entry.outcome(code).detail(&why);
            let entry = if f.client_id.is_empty() {
                entry
            } else {
                entry.client(&f.client_id)
            };
            return logged(&ctx, entry, refusal_response(r)).await;
        }
    };
    let entry = entry.client(&sp.client_id);
    let outcome = match f.grant_type.as_str() {
        "authorization_code" => {
            if f.code.is_empty() || f.redirect_uri.is_empty() || f.code_verifier.is_empty() {
                return logged_refusal(
                    &ctx,
                    entry,
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                )
                .await;
            }
            service
                .oidc_exchange_code(&f.code, &sp.client_id, &f.redirect_uri, &f.code_verifier)
                .await
                .map(|(t, grant)| (t, grant.holder_id))
        }
        "refresh_token" => {
            if f.refresh_token.is_empty() {
                return logged_refusal(&ctx, entry, "invalid_request", "refresh_token is required")
                    .await;
            }
            service.oidc_refresh(&f.refresh_token, &sp.client_id).await
        }
        _ => {
            return logged_refusal(
                &ctx,
                entry,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
            .await;
        }
    };
    match outcome {
        Ok((mut tokens, holder)) => {
            // A federation relying party may ask for its ID token encrypted
            // (checked possible when it registered).
            if let Some(id_token) = tokens.id_token.take() {
                match service
                    .maybe_encrypt_id_token(&sp.client_id, id_token)
                    .await
                {
                    Ok(id_token) => tokens.id_token = Some(id_token),
                    Err(e) => return unavailable(e),
                }
            }
            let entry = entry.holder(holder).detail(&f.grant_type);
            logged(&ctx, entry, token_body(&tokens)).await
        }
        Err(TokenError::Grant(GrantError::InvalidGrant(why) | GrantError::Revoked(why))) => {
            logged_refusal(&ctx, entry, "invalid_grant", why).await
        }
        Err(TokenError::Grant(GrantError::Infra(e)) | TokenError::Infra(e)) => unavailable(e),
    }
}

/// What the revocation and introspection endpoints share: the form, the
/// authenticated client (its assertion addressed to `/oidc/<endpoint>` or the
/// token endpoint) and its log entry, and a `token`; or the answer when one is
/// missing or wrong (a refused client is logged).
async fn about_a_token(
    ctx: &Ctx,
    form: Result<Form<TokenForm>, FormRejection>,
    endpoint: &str,
) -> Result<(TokenForm, ServiceProvider, TransactionEntry), Response> {
    let f = form_of(form)
        .map_err(|why| error_document(StatusCode::BAD_REQUEST, "invalid_request", &why))?;
    let entry = TransactionEntry::new(ctx.service().now(), endpoint, "ok").ip(Some(&ctx.ip));
    let sp = match authenticate(ctx, &f, &format!("/oidc/{endpoint}")).await {
        Ok(sp) => sp,
        Err(r) => {
            if let Refusal::Client(why) = &r {
                let entry = entry.outcome("invalid_client").detail(why);
                return Err(logged(ctx, entry, refusal_response(r)).await);
            }
            return Err(refusal_response(r));
        }
    };
    let entry = entry.client(&sp.client_id);
    if f.token.is_empty() {
        return Err(logged_refusal(ctx, entry, "invalid_request", "token is required").await);
    }
    Ok((f, sp, entry))
}

/// RFC 7009: the token (access or refresh) of the authenticated client is
/// revoked; an unknown one is answered the same way.
pub(super) async fn revoke(ctx: Ctx, form: Result<Form<TokenForm>, FormRejection>) -> Response {
    let (f, sp, entry) = match about_a_token(&ctx, form, "revoke").await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let service = ctx.service().clone();
    match service.oidc_revoke(&f.token, &sp.client_id).await {
        Ok(()) => logged(&ctx, entry, StatusCode::OK.into_response()).await,
        Err(e) => unavailable(e),
    }
}

/// RFC 7662: whether an access token of the authenticated client is active,
/// with what it stands for. Another client's token, or an unknown, expired or
/// revoked one, is just inactive.
pub(super) async fn introspect(ctx: Ctx, form: Result<Form<TokenForm>, FormRejection>) -> Response {
    let (f, sp, entry) = match about_a_token(&ctx, form, "introspect").await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let service = ctx.service().clone();
    let record = match service.oidc_introspect(&f.token, &sp.client_id).await {
        Ok(record) => record,
        Err(e) => return unavailable(e),
    };
    let body = match &record {
        Some(t) => json!({
            "active": true,
            "token_type": "Bearer",
            "client_id": t.client_id,
            "sub": t.subject,
            "iss": super::issuer(&ctx.state),
            "aud": [t.client_id],
            "iat": t.created_at.timestamp(),
            "exp": t.expires_at.timestamp(),
            "acr": identity_core::oidc::acr_of(t.level),
            "scope": "openid",
        }),
        None => json!({ "active": false }),
    };
    let entry = match &record {
        Some(t) => entry.holder(t.holder_id).detail("active"),
        None => entry.detail("inactive"),
    };
    let resp = (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response();
    logged(&ctx, entry, resp).await
}
