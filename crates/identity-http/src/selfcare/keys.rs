//! Level 3 in the browser: adding and removing security keys, and the sign-in
//! step that asks for one. The ceremonies need JavaScript (`/static/webauthn.js`):
//! the options come from a POST that answers JSON, the browser's answer goes back
//! in a plain form.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::Form;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use identity_service::Outcome as _;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_service::usecases::selfcare::sign_in::SelfcareSignInError;
use identity_words::Words;

use crate::form::FieldMessages;

use super::sign_in::pending;
use super::{SIGN_IN, Signed, as_client, client, signed_out};
use crate::AppState;
use crate::web::{Chrome, Ctx, Page, see_other};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/keys/options", post(registration_options))
        .route("/selfcare/keys", post(register))
        .route("/selfcare/keys/remove", post(remove))
        .route("/selfcare/sign-in/key", get(sign_in_page).post(sign_in))
        .route("/selfcare/sign-in/key/options", post(sign_in_options))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct KeyForm {
    csrf: String,
    key_name: String,
    credential: String,
    id: String,
}

fn json_error(status: axum::http::StatusCode) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": status.as_u16() })),
    )
        .into_response()
}

/// A ceremony's options for the page's script, as JSON: a refusal is 403, a
/// failure 500 (logged).
fn options_json<E>(result: Result<serde_json::Value, E>, what: &str) -> Response
where
    E: identity_service::UseCaseError,
{
    match result.outcome() {
        Ok(Ok(options)) => Json(options).into_response(),
        Ok(Err(_)) => json_error(axum::http::StatusCode::FORBIDDEN),
        Err(e) => {
            tracing::error!(error = %identity_service::error_chain(&e), "{what}");
            json_error(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

async fn registration_options(ctx: Ctx, Form(f): Form<KeyForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    Ok(options_json(
        s.service().start_key_registration(&s.session).await,
        "key registration options",
    ))
}

async fn register(ctx: Ctx, Form(f): Form<KeyForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    let registered = service
        .finish_key_registration(&s.session, &f.key_name, &f.credential)
        .await
        .outcome()?;
    match registered {
        Ok(()) => Ok(signed_out(
            s.ctx,
            L("Chiave di sicurezza aggiunta", "Security key added"),
            L(
                "La chiave è registrata e il livello 3 è attivo; ti abbiamo avvisato per email. Da ora l'accesso chiede la password e poi la chiave. Accedi di nuovo.",
                "The key is registered and level 3 is active; we told you by email. From now on signing in asks for the password and then the key. Sign in again.",
            ),
        )),
        Err(CredentialError::Invalid(errors)) => {
            let notices = errors.iter().map(|e| e.problem.words(lang)).collect();
            super::credentials::render(s, &FieldMessages::new(), notices).await
        }
        Err(refused) => {
            super::credentials::render(s, &FieldMessages::new(), vec![refused.words(lang)]).await
        }
    }
}

async fn remove(ctx: Ctx, Form(f): Form<KeyForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    match service
        .remove_security_key(&s.session, &f.id)
        .await
        .outcome()?
    {
        Ok(()) => Ok(signed_out(
            s.ctx,
            L("Chiave di sicurezza rimossa", "Security key removed"),
            L(
                "La chiave è stata rimossa e ti abbiamo avvisato per email. Le sessioni aperte con le chiavi sono state chiuse. Accedi di nuovo.",
                "The key was removed and we told you by email. Sessions opened with keys ended. Sign in again.",
            ),
        )),
        Err(refused) => {
            super::credentials::render(s, &FieldMessages::new(), vec![refused.words(lang)]).await
        }
    }
}

#[derive(Template)]
#[template(path = "selfcare_key.html")]
struct KeyPage {
    c: Chrome,
    /// "SPID" while the holder signs in for a service provider, else "Selfcare".
    area: &'static str,
    title: &'static str,
    intro: String,
    submit: &'static str,
    restart: &'static str,
    unsupported: &'static str,
    failed: &'static str,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

fn key_page(mut ctx: Ctx, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    // Signing in for a service provider: the page says for which one.
    let for_provider = crate::oidc::pending_request(&ctx);
    let mut intro = L(
        "Password corretta. Per completare l'accesso usa la tua chiave di sicurezza: premi il pulsante, poi tocca la chiave o conferma con PIN o impronta.",
        "Password correct. To finish signing in, use your security key: press the button, then touch the key or confirm with your PIN or fingerprint.",
    )
    .get(lang)
    .to_owned();
    if let Some(p) = &for_provider {
        intro = format!("{} {intro}", crate::oidc::signing_in_for(p, lang));
    }
    let c = ctx.selfcare_chrome(false);
    let failed = !notices.is_empty();
    let page = KeyPage {
        c,
        area: if for_provider.is_some() {
            "SPID"
        } else {
            "Selfcare"
        },
        title: L("Chiave di sicurezza", "Security key").get(lang),
        intro,
        submit: L("Usa la chiave di sicurezza", "Use the security key").get(lang),
        restart: L("Ricomincia dall'inizio", "Start again").get(lang),
        unsupported: L(
            "Questo browser non supporta le chiavi di sicurezza.",
            "This browser does not support security keys.",
        )
        .get(lang),
        failed: L(
            "La chiave non ha risposto o l'operazione è stata annullata.",
            "The key did not answer or the operation was cancelled.",
        )
        .get(lang),
        summary: Vec::new(),
        notices,
    };
    ctx.form_page(&page, failed)
}

async fn sign_in_page(ctx: Ctx) -> Response {
    if pending(&ctx).is_none() {
        return see_other(SIGN_IN);
    }
    key_page(ctx, Vec::new())
}

async fn sign_in_options(ctx: Ctx, Form(f): Form<KeyForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let Some(token) = pending(&ctx) else {
        return json_error(axum::http::StatusCode::FORBIDDEN);
    };
    options_json(
        ctx.service().start_key_sign_in(&token).await,
        "key sign-in options",
    )
}

async fn sign_in(ctx: Ctx, Form(f): Form<KeyForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let lang = ctx.lang;
    let Some(token) = pending(&ctx) else {
        return Ok(see_other(SIGN_IN));
    };
    let who = client(&ctx);
    let service = ctx.service().clone();
    Ok(
        match service
            .finish_key_sign_in(&token, &f.credential, as_client(&who))
            .await
            .outcome()?
        {
            Ok(s) => super::sign_in::signed_in(ctx, &s, "/selfcare", None),
            Err(SelfcareSignInError::SignInExpired) => see_other(SIGN_IN),
            Err(refused) => key_page(ctx, vec![refused.words(lang)]),
        },
    )
}
