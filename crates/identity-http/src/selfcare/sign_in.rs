//! Signing in to the selfcare: username and password, then the second factor of
//! the highest active level (a code from the authenticator app). A blocked level
//! 2 is unblocked here and a lost phone is proven here, before any session.

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::cookie::SameSite;
use identity_core::i18n::Localized;
use identity_core::{Lang, LoginId};
use identity_service::forms::FieldErrors;
use identity_service::usecases::selfcare::SelfcareError;
use identity_service::usecases::selfcare::authenticator::{ReenrolProof, UnblockProof};
use identity_service::usecases::selfcare::sign_in::{PasswordStep, SelfcareSession};
use identity_service::usecases::sessions::SessionToken;

use super::{FormBox, FormsPage, PENDING_COOKIE, SELFCARE_COOKIE, SIGN_IN, as_client, client};
use crate::AppState;
use crate::form::{Field, Fieldset};
use crate::i18n::L;
use crate::web::{Ctx, cookie, see_other};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(SIGN_IN, get(show).post(password))
        .route("/selfcare/sign-in/code", get(code_form).post(code))
        .route("/selfcare/sign-in/blocked", get(blocked_form))
        .route("/selfcare/sign-in/unblock", post(unblock))
        .route("/selfcare/sign-in/unblock/send", post(unblock_send))
        .route(
            "/selfcare/sign-in/lost-phone",
            get(lost_phone_form).post(lost_phone),
        )
        .route("/selfcare/sign-in/lost-phone/send", post(lost_phone_send))
        .route("/selfcare/sign-out", post(sign_out))
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

fn sign_in_page(ctx: Ctx, login_id: &str, errors: &FieldErrors, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let domain = ctx.state.service.config().login_domain.clone();
    let hint = match lang {
        Lang::It => {
            format!("Lo username della tua identità digitale, ad esempio 123456789@{domain}.")
        }
        Lang::En => {
            format!("The username of your digital identity, for example 123456789@{domain}.")
        }
    };
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
            match lang {
                Lang::It => format!("Accedi a {}", p.service_name),
                Lang::En => format!("Sign in to {}", p.service_name),
            },
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
    sign_in_page(ctx, "", &FieldErrors::new(), Vec::new())
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

async fn password(mut ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    let lang = ctx.lang;
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    if f.login_id.trim().is_empty() || f.password.is_empty() {
        let msg = L(
            "Indica username e password.",
            "Enter your username and password.",
        )
        .get(lang);
        return sign_in_page(ctx, &f.login_id, &FieldErrors::new(), vec![msg.to_owned()]);
    }
    let service = ctx.state.service.clone();
    let who = client(&ctx);
    let outcome = match LoginId::parse(&f.login_id, &service.config().login_domain) {
        Ok(id) => {
            service
                .selfcare_sign_in_password(&id, &f.password, as_client(&who))
                .await
        }
        // A malformed id gets the same answer as a wrong password.
        Err(_) => Err(SelfcareError::InvalidCredentials),
    };
    let secure = ctx.state.secure();
    match outcome {
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
        Err(SelfcareError::Store(e)) => ctx.failure(&e),
        Err(SelfcareError::Busy) => ctx.busy(),
        Err(SelfcareError::InvalidCredentials) => {
            let msg = L(
                "Username o password non corretti.",
                "Incorrect username or password.",
            );
            let mut resp = sign_in_page(
                ctx,
                &f.login_id,
                &FieldErrors::new(),
                vec![msg.get(lang).to_owned()],
            );
            *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            resp
        }
        Err(e) => sign_in_page(ctx, &f.login_id, &FieldErrors::new(), vec![e.message(lang)]),
    }
}

/// The waiting sign-in and whether its level 2 is blocked, or the page to go
/// to instead (the sign-in page when it expired).
async fn waiting(ctx: Ctx) -> Result<(Ctx, SessionToken, bool), Response> {
    let Some(token) = pending(&ctx) else {
        return Err(see_other(SIGN_IN));
    };
    match ctx.state.service.pending_sign_in_state(&token).await {
        Ok(Some((_, blocked))) => Ok((ctx, token, blocked)),
        Ok(None) => Err(see_other(SIGN_IN)),
        Err(e) => Err(ctx.failure(&e)),
    }
}

fn code_page(ctx: Ctx, errors: &FieldErrors, notices: Vec<String>) -> Response {
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
    FormsPage::render(
        ctx,
        L("Codice di verifica", "Verification code").get(lang),
        vec![L(
            "Password corretta. Per completare l'accesso inserisci il codice dell'app di autenticazione.",
            "Password correct. To finish signing in, enter the code from your authenticator app.",
        ).get(lang).to_owned()],
        vec![FormBox::new("second-factor", "/selfcare/sign-in/code", L("Verifica", "Verify").get(lang), sets)],
        errors,
        notices,
        vec![
            ("/selfcare/sign-in/lost-phone".into(), L("Hai perso o cambiato telefono?", "Lost or changed your phone?").get(lang).into()),
            (SIGN_IN.into(), L("Ricomincia dall'inizio", "Start again").get(lang).into()),
        ],
    )
}

async fn code_form(ctx: Ctx) -> Response {
    match waiting(ctx).await {
        Ok((_, _, true)) => see_other("/selfcare/sign-in/blocked"),
        Ok((ctx, _, false)) => code_page(ctx, &FieldErrors::new(), Vec::new()),
        Err(r) => r,
    }
}

/// Maps a step's error to the page's notices; an expired waiting sign-in starts
/// again from the password.
fn notice(
    ctx: Ctx,
    e: SelfcareError,
    page: impl FnOnce(Ctx, &FieldErrors, Vec<String>) -> Response,
) -> Response {
    match e {
        SelfcareError::SignInExpired => {
            let msg = SelfcareError::SignInExpired.message(ctx.lang);
            sign_in_page(ctx, "", &FieldErrors::new(), vec![msg])
        }
        other => super::refused(ctx, other, page),
    }
}

async fn code(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let (ctx, token) = match waiting(ctx).await {
        Ok((ctx, t, _)) => (ctx, t),
        Err(r) => return r,
    };
    let who = client(&ctx);
    let service = ctx.state.service.clone();
    match service
        .selfcare_sign_in_totp(&token, &f.code, as_client(&who))
        .await
    {
        Ok(s) => signed_in(ctx, &s, "/selfcare", None),
        Err(SelfcareError::Totp(identity_core::credentials::TotpError::Blocked)) => {
            see_other("/selfcare/sign-in/blocked")
        }
        Err(e) => notice(ctx, e, code_page),
    }
}

fn blocked_page(ctx: Ctx, errors: &FieldErrors, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let emergency = vec![Fieldset::new(
        L("Codice di emergenza", "Emergency code"),
        lang,
        vec![emergency_field(lang)],
    )];
    let by_mail = vec![Fieldset::new(
        L("Codice via email", "Code by email"),
        lang,
        vec![
            Field::new(
                "code",
                L("Codice ricevuto per email", "Code received by email"),
                "text",
                lang,
            )
            .autocomplete("one-time-code"),
        ],
    )];
    FormsPage::render(
        ctx,
        L("Livello 2 bloccato", "Level 2 blocked").get(lang),
        vec![L(
            "Le credenziali di livello 2 sono bloccate dopo 5 codici errati. Sbloccale con il codice di emergenza, oppure con un codice che ti inviamo all'email di riferimento; poi inserisci il codice dell'app.",
            "Your level 2 credential is blocked after 5 wrong codes. Unblock it with the emergency code, or with a code we send to your reference email; then enter the code from the app.",
        ).get(lang).to_owned()],
        vec![
            FormBox::new("unblock-emergency", "/selfcare/sign-in/unblock", L("Sblocca", "Unblock").get(lang), emergency)
                .titled(L("Con il codice di emergenza", "With the emergency code").get(lang), ""),
            FormBox::new("unblock-send", "/selfcare/sign-in/unblock/send", L("Inviami un codice per email", "Send me a code by email").get(lang), Vec::new())
                .titled(L("Con un codice via email", "With a code by email").get(lang), "")
                .secondary(),
            FormBox::new("unblock-code", "/selfcare/sign-in/unblock", L("Sblocca con il codice", "Unblock with the code").get(lang), by_mail),
        ],
        errors,
        notices,
        vec![(SIGN_IN.into(), L("Ricomincia dall'inizio", "Start again").get(lang).into())],
    )
}

pub(super) fn emergency_field(lang: Lang) -> Field {
    Field::new("emergency_code", L("Codice di emergenza", "Emergency code"), "text", lang)
        .hint(L(
            "16 caratteri: le due metà ricevute per email e per SMS, una dopo l'altra. Trattini e spazi non contano.",
            "16 characters: the two halves received by email and SMS, one after the other. Dashes and spaces do not matter.",
        ).get(lang))
}

async fn blocked_form(ctx: Ctx) -> Response {
    match waiting(ctx).await {
        Ok((_, _, false)) => see_other("/selfcare/sign-in/code"),
        Ok((ctx, _, true)) => blocked_page(ctx, &FieldErrors::new(), Vec::new()),
        Err(r) => r,
    }
}

async fn unblock(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let (ctx, token) = match waiting(ctx).await {
        Ok((ctx, t, _)) => (ctx, t),
        Err(r) => return r,
    };
    let proof = if f.emergency_code.trim().is_empty() {
        UnblockProof::EmailCode(&f.code)
    } else {
        UnblockProof::EmergencyCode(&f.emergency_code)
    };
    let service = ctx.state.service.clone();
    match service.unblock_level2(&token, proof).await {
        Ok(()) => see_other("/selfcare/sign-in/code"),
        Err(e) => notice(ctx, e, blocked_page),
    }
}

async fn unblock_send(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let (ctx, token) = match waiting(ctx).await {
        Ok((ctx, t, _)) => (ctx, t),
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let service = ctx.state.service.clone();
    match service.send_unblock_code(&token).await {
        Ok(()) => {
            blocked_page(
                ctx,
                &FieldErrors::new(),
                vec![L(
            "Ti abbiamo inviato un codice all'email di riferimento: inseriscilo qui sotto.",
            "We sent a code to your reference email: enter it below.",
        ).get(lang).to_owned()],
            )
        }
        Err(e) => notice(ctx, e, blocked_page),
    }
}

fn lost_phone_page(ctx: Ctx, errors: &FieldErrors, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let emergency = vec![Fieldset::new(
        L("Codice di emergenza", "Emergency code"),
        lang,
        vec![emergency_field(lang)],
    )];
    let codes = vec![Fieldset::new(
        L("Codici ricevuti", "Codes received"),
        lang,
        vec![
            Field::new(
                "email_code",
                L("Codice ricevuto per email", "Code received by email"),
                "text",
                lang,
            ),
            Field::new(
                "sms_code",
                L("Codice ricevuto per SMS", "Code received by SMS"),
                "text",
                lang,
            )
            .autocomplete("one-time-code"),
        ],
    )];
    FormsPage::render(
        ctx,
        L("Cambio telefono", "Change of phone").get(lang),
        vec![L(
            "Se hai perso il telefono o ne hai uno nuovo, dimostra di essere tu: l'app del vecchio telefono smetterà subito di funzionare e potrai attivare il livello 2 sul nuovo.",
            "If you lost your phone or have a new one, prove it is you: the app on the old phone stops working at once and you can activate level 2 on the new one.",
        ).get(lang).to_owned()],
        vec![
            FormBox::new("reenrol-emergency", "/selfcare/sign-in/lost-phone", L("Conferma", "Confirm").get(lang), emergency)
                .titled(L("Con il codice di emergenza", "With the emergency code").get(lang), ""),
            FormBox::new("reenrol-send", "/selfcare/sign-in/lost-phone/send", L("Inviami i codici", "Send me the codes").get(lang), Vec::new())
                .titled(
                    L("Con un codice via email e uno via SMS", "With a code by email and one by SMS").get(lang),
                    L("Ti inviamo un codice all'email di riferimento e uno al cellulare registrato.", "We send one code to your reference email and one to the mobile number on record.").get(lang),
                )
                .secondary(),
            FormBox::new("reenrol-codes", "/selfcare/sign-in/lost-phone", L("Conferma con i codici", "Confirm with the codes").get(lang), codes),
        ],
        errors,
        notices,
        vec![(SIGN_IN.into(), L("Ricomincia dall'inizio", "Start again").get(lang).into())],
    )
}

async fn lost_phone_form(ctx: Ctx) -> Response {
    match waiting(ctx).await {
        Ok((ctx, _, _)) => lost_phone_page(ctx, &FieldErrors::new(), Vec::new()),
        Err(r) => r,
    }
}

async fn lost_phone(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let (ctx, token) = match waiting(ctx).await {
        Ok((ctx, t, _)) => (ctx, t),
        Err(r) => return r,
    };
    let proof = if f.emergency_code.trim().is_empty() {
        ReenrolProof::Codes {
            email: &f.email_code,
            sms: &f.sms_code,
        }
    } else {
        ReenrolProof::EmergencyCode(&f.emergency_code)
    };
    let who = client(&ctx);
    let service = ctx.state.service.clone();
    match service
        .reenrol_authenticator(&token, proof, as_client(&who))
        .await
    {
        Ok(s) => signed_in(ctx, &s, "/selfcare/credentials", Some("level2_ready")),
        Err(e) => notice(ctx, e, lost_phone_page),
    }
}

async fn lost_phone_send(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let (ctx, token) = match waiting(ctx).await {
        Ok((ctx, t, _)) => (ctx, t),
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let service = ctx.state.service.clone();
    match service.send_reenrol_codes(&token).await {
        Ok(()) => {
            lost_phone_page(
                ctx,
                &FieldErrors::new(),
                vec![L(
            "Ti abbiamo inviato un codice per email e uno per SMS: inseriscili qui sotto.",
            "We sent you a code by email and one by SMS: enter them below.",
        ).get(lang).to_owned()],
            )
        }
        Err(e) => notice(ctx, e, lost_phone_page),
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
            .state
            .service
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
