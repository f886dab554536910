//! Signing in to the selfcare: username and password, then the second factor of
//! the highest active level (a code from the authenticator app). A blocked level
//! 2 is unblocked and a lost phone is proven before any session
//! (`second_factor_help`).

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::cookie::SameSite;
use identity_core::credentials::TotpError;
use identity_core::{Lang, LoginId};
use identity_service::Outcome as _;
use identity_service::usecases::selfcare::sign_in::{
    PasswordStep, SelfcareSession, SelfcareSignInError,
};
use identity_service::usecases::sessions::SessionToken;
use identity_words::{L, Words as _};

use super::{FormBox, FormsPage, PENDING_COOKIE, SELFCARE_COOKIE, SIGN_IN, as_client, client};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset};
use crate::web::{Ctx, Page, PageError, cookie, see_other};

mod second_factor_help;

pub(super) use second_factor_help::emergency_field;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(SIGN_IN, get(show).post(password))
        .route("/selfcare/sign-in/code", get(code_form).post(code))
        .route("/selfcare/sign-out", post(sign_out))
        .merge(second_factor_help::router())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct StepForm {
    pub csrf: String,
    pub login_id: String,
    pub password: String,
    pub code: String,
    pub emergency_code: String,
    pub email_code: String,
    pub sms_code: String,
}

/// The links under the sign-in form: what can be done without signing in.
pub(super) fn without_signing_in(lang: Lang) -> Vec<(String, String)> {
    [
        (
            "/selfcare/recover/username",
            L("Hai dimenticato lo username?", "Forgot your username?"),
        ),
        (
            "/selfcare/recover/password",
            L("Hai dimenticato la password?", "Forgot your password?"),
        ),
        (
            "/selfcare/emergency-block",
            L(
                "Blocco d'emergenza dell'identità",
                "Emergency block of your identity",
            ),
        ),
        (
            "/selfcare/recover/emergency-code",
            L(
                "Recupera il codice di emergenza",
                "Recover your emergency code",
            ),
        ),
    ]
    .into_iter()
    .map(|(href, l)| (href.to_owned(), l.get(lang).to_owned()))
    .collect()
}

fn sign_in_page(
    ctx: Ctx,
    login_id: &str,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let domain = ctx.service().config().login_domain.clone();
    let hint = L(
        format!("Lo username della tua identità digitale, ad esempio 123456789@{domain}."),
        format!("The username of your digital identity, for example 123456789@{domain}."),
    )
    .get(lang);
    let sets = vec![Fieldset::new(
        L("Credenziali", "Credentials"),
        lang,
        vec![
            Field::new("login_id", L("Username", "Username"), "text", lang)
                .value(login_id)
                .hint(hint)
                .autocomplete("username"),
            Field::new("password", L("Password", "Password"), "password", lang)
                .autocomplete("current-password"),
        ],
    )];
    // Signing in for a service provider: the page says so, and for which one.
    let (title, paragraph) = match crate::oidc::pending_request(&ctx) {
        Some(p) => (
            L(
                format!("Accedi a {}", p.service_name),
                format!("Sign in to {}", p.service_name),
            )
            .get(lang),
            crate::oidc::signing_in_for(&p, lang),
        ),
        None => (
            L("Accedi al Selfcare", "Sign in to the Selfcare").get(lang).to_owned(),
            L(
                "Gestisci la tua identità digitale. Se hai attivato le credenziali di livello 2, dopo la password ti chiederemo il codice dell'app di autenticazione.",
                "Manage your digital identity. If you activated level 2 credentials, after the password we ask for the code from your authenticator app.",
            )
            .get(lang)
            .to_owned(),
        ),
    };
    FormsPage::render(
        ctx,
        &title,
        vec![paragraph],
        vec![FormBox::new(
            "sign-in",
            SIGN_IN,
            L("Accedi", "Sign in").get(lang),
            sets,
        )],
        errors,
        notices,
        without_signing_in(lang),
    )
}

async fn show(ctx: Ctx) -> Response {
    sign_in_page(ctx, "", &FieldMessages::new(), Vec::new())
}

/// Sets the session cookie (and drops a waiting sign-in's) and goes to `to`,
/// or back to the service provider's authorization request the sign-in was for.
pub(super) fn signed_in(
    mut ctx: Ctx,
    s: &SelfcareSession,
    to: &str,
    flash: Option<&'static str>,
) -> Response {
    let to = if crate::oidc::pending_request(&ctx).is_some() {
        crate::oidc::CONTINUE
    } else {
        to
    };
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar)
        .add(cookie(
            SELFCARE_COOKIE,
            s.token.expose().to_owned(),
            secure,
            SameSite::Lax,
        ))
        .remove(cookie(PENDING_COOKIE, String::new(), secure, SameSite::Lax));
    if let Some(code) = flash {
        ctx.set_flash(super::FLASH_COOKIE, code);
    }
    ctx.respond(see_other(to))
}

/// The token of the sign-in waiting for its second factor, if the browser has one.
pub(super) fn pending(ctx: &Ctx) -> Option<SessionToken> {
    ctx.jar
        .get(PENDING_COOKIE)
        .map(|c| SessionToken::from_client(c.value()))
}

async fn password(mut ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let lang = ctx.lang;
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    if f.login_id.trim().is_empty() || f.password.is_empty() {
        let msg = L(
            "Indica username e password.",
            "Enter your username and password.",
        )
        .text(lang);
        return Ok(sign_in_page(
            ctx,
            &f.login_id,
            &FieldMessages::new(),
            vec![msg],
        ));
    }
    let service = ctx.service().clone();
    let who = client(&ctx);
    // Signing in for a service provider: the level its request prefers that
    // the identity can satisfy, not the selfcare's highest one.
    let for_provider = crate::oidc::pending_request(&ctx);
    let preferences = for_provider.as_ref().map(|p| p.request.levels.clone());
    let outcome = match LoginId::parse(&f.login_id, &service.config().login_domain) {
        Ok(id) => service
            .sign_in_password_for(&id, &f.password, as_client(&who), preferences.as_deref())
            .await
            .outcome()?,
        // A malformed id gets the same answer as a wrong password.
        Err(_) => Err(SelfcareSignInError::InvalidCredentials),
    };
    let secure = ctx.state.secure();
    Ok(match outcome {
        Ok(PasswordStep::SignedIn(s)) => signed_in(ctx, &s, "/selfcare", None),
        Ok(PasswordStep::SecondFactor { pending, level }) => {
            ctx.jar = std::mem::take(&mut ctx.jar).add(cookie(
                PENDING_COOKIE,
                pending.expose().to_owned(),
                secure,
                SameSite::Lax,
            ));
            let next = if level == identity_core::CredentialLevel::L3 {
                "/selfcare/sign-in/key"
            } else {
                "/selfcare/sign-in/code"
            };
            ctx.respond(see_other(next))
        }
        Ok(PasswordStep::Level2Blocked { pending }) => {
            ctx.jar = std::mem::take(&mut ctx.jar).add(cookie(
                PENDING_COOKIE,
                pending.expose().to_owned(),
                secure,
                SameSite::Lax,
            ));
            ctx.respond(see_other("/selfcare/sign-in/blocked"))
        }
        Err(SelfcareSignInError::InvalidCredentials) => {
            let msg = L(
                "Username o password non corretti.",
                "Incorrect username or password.",
            );
            let mut resp = sign_in_page(
                ctx,
                &f.login_id,
                &FieldMessages::new(),
                vec![msg.text(lang)],
            );
            *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            resp
        }
        Err(SelfcareSignInError::Blocked(
            identity_core::credentials::SignInBlocked::LevelNotActive(_),
        )) if for_provider.is_some() => match &for_provider {
            Some(p) => crate::oidc::level_page(ctx, p, false),
            None => see_other(SIGN_IN),
        },
        Err(refused) => sign_in_page(
            ctx,
            &f.login_id,
            &FieldMessages::new(),
            vec![refused.words(lang)],
        ),
    })
}

/// The waiting sign-in and whether its level 2 is blocked, or the page to go
/// to instead (the sign-in page when it expired).
async fn waiting(ctx: Ctx) -> Result<(Ctx, SessionToken, bool), PageError> {
    let Some(token) = pending(&ctx) else {
        return Err(see_other(SIGN_IN).into());
    };
    match ctx.service().pending_sign_in_state(&token).await? {
        Some((_, blocked)) => Ok((ctx, token, blocked)),
        None => Err(see_other(SIGN_IN).into()),
    }
}

/// A step's form post: the CSRF token right and a sign-in waiting.
async fn waiting_post(ctx: Ctx, csrf: &str) -> Result<(Ctx, SessionToken), PageError> {
    if !ctx.csrf_ok(csrf) {
        return Err(ctx.form_expired().into());
    }
    let (ctx, token, _) = waiting(ctx).await?;
    Ok((ctx, token))
}

fn code_page(ctx: Ctx, errors: &FieldMessages, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L("Livello 2", "Level 2"),
        lang,
        vec![
            Field::new("code", L("Codice dell'app", "Code from the app"), "text", lang)
                .hint(L(
                    "Le 6 cifre mostrate ora dall'app di autenticazione. Il codice cambia ogni 30 secondi.",
                    "The 6 digits your authenticator app shows now. The code changes every 30 seconds.",
                ).get(lang))
                .autocomplete("one-time-code"),
        ],
    )];
    let mut paragraphs = vec![L(
        "Password corretta. Per completare l'accesso inserisci il codice dell'app di autenticazione.",
        "Password correct. To finish signing in, enter the code from your authenticator app.",
    )
    .text(lang)];
    // Signing in for a service provider: the page still says for which one.
    if let Some(p) = crate::oidc::pending_request(&ctx) {
        paragraphs.insert(0, crate::oidc::signing_in_for(&p, lang));
    }
    FormsPage::render(
        ctx,
        L("Codice di verifica", "Verification code").get(lang),
        paragraphs,
        vec![FormBox::new(
            "second-factor",
            "/selfcare/sign-in/code",
            L("Verifica", "Verify").get(lang),
            sets,
        )],
        errors,
        notices,
        vec![
            (
                "/selfcare/sign-in/lost-phone".into(),
                L(
                    "Hai perso o cambiato telefono?",
                    "Lost or changed your phone?",
                )
                .text(lang),
            ),
            (
                SIGN_IN.into(),
                L("Ricomincia dall'inizio", "Start again").text(lang),
            ),
        ],
    )
}

async fn code_form(ctx: Ctx) -> Page {
    Ok(match waiting(ctx).await? {
        (_, _, true) => see_other("/selfcare/sign-in/blocked"),
        (ctx, _, false) => code_page(ctx, &FieldMessages::new(), Vec::new()),
    })
}

/// A step's refusal on its page; an expired waiting sign-in starts again from
/// the password.
fn notice(
    ctx: Ctx,
    e: SelfcareSignInError,
    page: impl FnOnce(Ctx, &FieldMessages, Vec<String>) -> Response,
) -> Page {
    match e {
        SelfcareSignInError::SignInExpired => {
            let msg = SelfcareSignInError::SignInExpired.words(ctx.lang);
            Ok(sign_in_page(ctx, "", &FieldMessages::new(), vec![msg]))
        }
        other => super::refused(ctx, other, page),
    }
}

async fn code(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let (ctx, token) = waiting_post(ctx, &f.csrf).await?;
    let who = client(&ctx);
    let service = ctx.service().clone();
    match service
        .selfcare_sign_in_totp(&token, &f.code, as_client(&who))
        .await
        .outcome()?
    {
        Ok(s) => Ok(signed_in(ctx, &s, "/selfcare", None)),
        Err(SelfcareSignInError::Totp(TotpError::Blocked)) => {
            Ok(see_other("/selfcare/sign-in/blocked"))
        }
        Err(e) => notice(ctx, e, code_page),
    }
}

async fn sign_out(mut ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    end_selfcare_session(&mut ctx).await;
    ctx.respond(see_other(SIGN_IN))
}

/// Ends the browser's selfcare session on the server and drops its cookie.
pub(crate) async fn end_selfcare_session(ctx: &mut Ctx) {
    if let Some(c) = ctx.jar.get(SELFCARE_COOKIE)
        && let Err(e) = ctx
            .service()
            .end_session(&SessionToken::from_client(c.value()))
            .await
    {
        tracing::error!(error = %e, "ending the selfcare session failed");
    }
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).remove(cookie(
        SELFCARE_COOKIE,
        String::new(),
        secure,
        SameSite::Lax,
    ));
}
