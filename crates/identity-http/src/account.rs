//! The customer area: sign-in, the holder's page, sign-out.

use std::net::SocketAddr;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{CookieJar, SameSite};
use identity_core::credentials::CredentialLevel;
use identity_core::i18n::Localized;
use identity_core::{Lang, LoginId, LoginStatus, Session, SessionArea};
use identity_service::usecases::sessions::SessionToken;
use identity_service::usecases::sign_in::SignInError;

use crate::AppState;
use crate::texts::{Texts, texts};
use crate::web::{SESSION_COOKIE, cookie, csrf_ok, csrf_token, language, page, see_other};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/sign-in", get(sign_in_form).post(sign_in))
        .route("/account/sign-out", post(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    t: &'static Texts,
    back: &'a str,
    csrf: String,
    login_id: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    t: &'static Texts,
    back: &'a str,
    csrf: String,
    name: String,
    kind: &'static str,
    tax_code: Option<String>,
    vat_number: Option<String>,
    email: String,
    phone: String,
    address: String,
    logins: Vec<(String, &'static str)>,
}

fn sign_in_page(
    state: &AppState,
    jar: CookieJar,
    lang: Lang,
    login_id: String,
    error: Option<String>,
) -> Response {
    let (jar, csrf) = csrf_token(jar, state.secure());
    let t = texts(lang);
    (
        jar,
        page(&SignInPage {
            t,
            back: "/account/sign-in",
            csrf,
            login_id,
            error,
        }),
    )
        .into_response()
}

async fn sign_in_form(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let lang = language(&jar, &headers);
    sign_in_page(&state, jar, lang, String::new(), None)
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

async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = language(&jar, &headers);
    let t = texts(lang);
    if !csrf_ok(&jar, &headers, &form.csrf) {
        return sign_in_page(
            &state,
            jar,
            lang,
            form.login_id,
            Some(t.invalid_form.into()),
        );
    }
    if form.login_id.trim().is_empty() || form.password.is_empty() {
        return sign_in_page(&state, jar, lang, form.login_id, Some(t.required.into()));
    }
    let ip = client.ip().to_string();
    // A malformed id gets the same answer as a wrong password: nothing to learn.
    let outcome = match LoginId::parse(&form.login_id, &state.service.config().login_domain) {
        Ok(id) => {
            state
                .service
                .sign_in_password(&id, &form.password, Some(&ip))
                .await
        }
        Err(_) => Err(SignInError::InvalidCredentials),
    };
    let signed_in = match outcome {
        Ok(s) => s,
        Err(e) => {
            if !matches!(e, SignInError::InvalidCredentials) {
                tracing::error!(error = %e, "sign-in failed");
            }
            return sign_in_page(&state, jar, lang, form.login_id, Some(e.message(lang)));
        }
    };
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    match state
        .service
        .open_session(
            &signed_in,
            SessionArea::Customer,
            CredentialLevel::L1,
            Some(&ip),
            agent,
        )
        .await
    {
        Ok((token, _)) => {
            let jar = jar.add(cookie(
                SESSION_COOKIE,
                token.expose().to_owned(),
                state.secure(),
                SameSite::Lax,
            ));
            (jar, see_other("/account")).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "opening the session failed");
            sign_in_page(
                &state,
                jar,
                lang,
                form.login_id,
                Some(SignInError::Store(e).message(lang)),
            )
        }
    }
}

/// The live customer-area session of the request, if any.
pub(crate) async fn current_session(state: &AppState, jar: &CookieJar) -> Option<Session> {
    let token = SessionToken::from_client(jar.get(SESSION_COOKIE)?.value());
    match state.service.session(&token).await {
        Ok(Some(s)) if s.area == SessionArea::Customer => Some(s),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "session look-up failed");
            None
        }
    }
}

async fn account(State(state): State<AppState>, jar: CookieJar, headers: HeaderMap) -> Response {
    let Some(session) = current_session(&state, &jar).await else {
        return see_other("/account/sign-in");
    };
    let lang = language(&jar, &headers);
    let t = texts(lang);
    let overview = match state.service.holder_overview(session.holder_id).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "holder look-up failed");
            return (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            )
                .into_response();
        }
    };
    let h = &overview.holder;
    let domain = &state.service.config().login_domain;
    let (jar, csrf) = csrf_token(jar, state.secure());
    let body = AccountPage {
        t,
        back: "/account",
        csrf,
        name: h.display_name(),
        kind: h.subject_kind().label(lang),
        tax_code: h.tax_code().map(|c| c.as_str().to_owned()),
        vat_number: h.vat_number().map(|v| v.as_str().to_owned()),
        email: h.contacts().email.to_string(),
        phone: h.contacts().phone.to_string(),
        address: h.address().to_string(),
        logins: overview
            .logins
            .iter()
            .map(|l| {
                let status = if l.status() == LoginStatus::Active {
                    t.status_active
                } else {
                    t.status_disabled
                };
                (LoginId::new(l.number(), domain).to_string(), status)
            })
            .collect(),
    };
    (jar, page(&body)).into_response()
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf_ok(&jar, &headers, &form.csrf) {
        return see_other("/account");
    }
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Err(e) = state
            .service
            .end_session(&SessionToken::from_client(c.value()))
            .await
    {
        tracing::error!(error = %e, "ending the session failed");
    }
    let jar = jar.remove(cookie(
        SESSION_COOKIE,
        String::new(),
        state.secure(),
        SameSite::Lax,
    ));
    (jar, see_other("/account/sign-in")).into_response()
}
