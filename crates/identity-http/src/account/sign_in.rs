//! Signing in to and out of the customer area.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::cookie::SameSite;
use identity_core::credentials::CredentialLevel;
use identity_core::{LoginId, SessionArea};
use identity_service::usecases::sessions::SessionToken;
use identity_service::usecases::sign_in::{SessionToOpen, SignInError};
use identity_words::Words;

use crate::AppState;
use crate::web::{Chrome, Ctx, Page, SESSION_COOKIE, cookie, see_other};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/sign-in", get(sign_in_form).post(sign_in))
        .route("/account/sign-out", post(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    c: Chrome,
    title: &'static str,
    login_label: &'static str,
    login_hint: String,
    password_label: &'static str,
    submit: &'static str,
    lost: &'static str,
    register: &'static str,
    login_id: String,
    error: Option<String>,
}

fn sign_in_page(mut ctx: Ctx, login_id: String, error: Option<String>) -> Response {
    let lang = ctx.lang;
    let domain = ctx.service().config().login_domain.clone();
    let c = ctx.chrome(false);
    let failed = error.is_some();
    let page = SignInPage {
        c,
        title: L("Accedi all'area clienti", "Sign in to the customer area").get(lang),
        login_label: L("Login", "Login id").get(lang),
        login_hint: L(
            format!("La login ricevuta per email, ad esempio 123456789@{domain}."),
            format!("The login id you received by email, for example 123456789@{domain}."),
        )
        .get(lang),
        password_label: L("Password", "Password").get(lang),
        submit: L("Accedi", "Sign in").get(lang),
        lost: L(
            "Hai smarrito la login o la password?",
            "Lost your login id or password?",
        )
        .get(lang),
        register: L(
            "Non sei registrato? Registrati",
            "Not registered yet? Register",
        )
        .get(lang),
        login_id,
        error,
    };
    let mut resp = ctx.page(&page);
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    }
    resp
}

async fn sign_in_form(ctx: Ctx) -> Response {
    if ctx.session().await.is_some() {
        return see_other("/account");
    }
    sign_in_page(ctx, String::new(), None)
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(mut ctx: Ctx, Form(form): Form<SignInForm>) -> Page {
    let lang = ctx.lang;
    if !ctx.csrf_ok(&form.csrf) {
        return Ok(ctx.form_expired());
    }
    if form.login_id.trim().is_empty() || form.password.is_empty() {
        let msg = L(
            "Indica login e password.",
            "Enter your login id and password.",
        )
        .get(lang);
        return Ok(sign_in_page(ctx, form.login_id, Some(msg.to_owned())));
    }
    let ip = ctx.ip.clone();
    let service = ctx.service().clone();
    let agent = ctx
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The session opens with the success, in its transaction.
    let session = SessionToOpen {
        area: SessionArea::Customer,
        level: CredentialLevel::L1,
        user_agent: agent.as_deref(),
    };
    // A malformed id gets the same answer as a wrong password: nothing to learn.
    let outcome = match LoginId::parse(&form.login_id, &service.config().login_domain) {
        Ok(id) => {
            service
                .sign_in_password_and_open_session(&id, &form.password, Some(&ip), session)
                .await
        }
        Err(_) => Err(SignInError::InvalidCredentials),
    };
    let token = match outcome {
        Ok((_, token, _)) => token,
        Err(SignInError::Infra(e)) => return Err(e.into()),
        Err(e) => return Ok(sign_in_page(ctx, form.login_id, Some(e.words(lang)))),
    };
    // A new session (and token) at every sign-in; the old one, if any, ends.
    if let Some(old) = ctx
        .jar
        .get(SESSION_COOKIE)
        .map(|c| SessionToken::from_client(c.value()))
    {
        let _ = service.end_session(&old).await;
    }
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).add(cookie(
        SESSION_COOKIE,
        token.expose().to_owned(),
        secure,
        SameSite::Lax,
    ));
    Ok(ctx.respond(see_other("/account")))
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(mut ctx: Ctx, Form(form): Form<CsrfOnly>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.form_expired();
    }
    if let Some(c) = ctx.jar.get(SESSION_COOKIE)
        && let Err(e) = ctx
            .service()
            .end_session(&SessionToken::from_client(c.value()))
            .await
    {
        tracing::error!(error = %e, "ending the session failed");
    }
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).remove(cookie(
        SESSION_COOKIE,
        String::new(),
        secure,
        SameSite::Lax,
    ));
    ctx.respond(see_other("/account/sign-in"))
}
