//! What the selfcare sign-in page offers without signing in: recovering the
//! username, the password (with the emergency code) and the emergency code
//! itself; the emergency block is in `emergency_block.rs`. Answers that could
//! tell whether an identity exists are the same either way and take the same
//! time.

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use identity_core::Lang;

use super::sign_in::{StepForm, emergency_field};
use super::{FormBox, FormsPage, SIGN_IN, refused};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset};
use crate::recovery::at_the_floor;
use crate::web::{Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/selfcare/recover/username",
            get(username_form).post(username),
        )
        .route(
            "/selfcare/recover/password",
            get(password_form).post(password),
        )
        .route(
            "/selfcare/recover/emergency-code",
            get(emergency_code_form).post(emergency_code_start),
        )
        .route(
            "/selfcare/recover/emergency-code/confirm",
            post(emergency_code_confirm),
        )
}

pub(super) fn back(lang: Lang) -> Vec<(String, String)> {
    vec![(
        SIGN_IN.into(),
        L(
            "Torna all'accesso al Selfcare",
            "Back to the Selfcare sign-in",
        )
        .get(lang)
        .into(),
    )]
}

pub(super) fn tax_code_field(lang: Lang, value: &str) -> Field {
    Field::new("tax_code", L("Codice fiscale", "Tax code"), "text", lang).value(value)
}

fn login_field(lang: Lang, value: &str) -> Field {
    Field::new("login_id", L("Username", "Username"), "text", lang)
        .value(value)
        .autocomplete("username")
}

pub(super) fn done(mut ctx: Ctx, title: L, message: L) -> Response {
    let c = ctx.selfcare_chrome(false);
    ctx.message(
        c,
        title,
        message,
        Some((SIGN_IN, L("Accedi al Selfcare", "Sign in to the Selfcare"))),
    )
}

// ---- username ---------------------------------------------------------------

fn username_page(
    ctx: Ctx,
    tax_code: &str,
    email: &str,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L("I tuoi dati", "Your details"),
        lang,
        vec![
            tax_code_field(lang, tax_code),
            Field::new(
                "email",
                L("Email di riferimento", "Reference email"),
                "email",
                lang,
            )
            .value(email)
            .autocomplete("email"),
        ],
    )];
    FormsPage::render(
        ctx,
        L("Recupera lo username", "Recover your username").get(lang),
        vec![L(
            "Indica il codice fiscale e l'email di riferimento: se corrispondono a un'identità digitale, ti invieremo lo username a quell'indirizzo. Non lo mostriamo mai sulla pagina.",
            "Enter your tax code and reference email: if they match a digital identity, we send the username to that address. We never show it on the page.",
        ).get(lang).to_owned()],
        vec![FormBox::new("recover-username", "/selfcare/recover/username", L("Invia lo username", "Send my username").get(lang), sets)],
        errors,
        notices,
        back(lang),
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct UsernameForm {
    csrf: String,
    tax_code: String,
    email: String,
}

async fn username_form(ctx: Ctx) -> Response {
    username_page(ctx, "", "", &FieldMessages::new(), Vec::new())
}

async fn username(ctx: Ctx, Form(f): Form<UsernameForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    let outcome = at_the_floor(ctx.service().remind_identity_username(
        &f.tax_code,
        &f.email,
        Some(&ip),
    ))
    .await;
    match outcome {
        Ok(()) => Ok(done(
            ctx,
            L("Richiesta ricevuta", "Request received"),
            L(
                "Se i dati corrispondono a un'identità digitale, abbiamo inviato lo username all'email di riferimento.",
                "If the details match a digital identity, we sent the username to the reference email.",
            ),
        )),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            username_page(ctx, &f.tax_code, &f.email, errors, notices)
        }),
    }
}

// ---- password ---------------------------------------------------------------

fn password_page(ctx: Ctx, f: &StepForm, errors: &FieldMessages, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L(
            "Username e codice di emergenza",
            "Username and emergency code",
        ),
        lang,
        vec![login_field(lang, &f.login_id), emergency_field(lang)],
    )];
    FormsPage::render(
        ctx,
        L("Recupera la password", "Recover your password").get(lang),
        vec![L(
            "Indica lo username e il codice di emergenza: ti invieremo all'email di riferimento un codice, valido 30 minuti, per scegliere una nuova password.",
            "Enter your username and emergency code: we send your reference email a code, valid for 30 minutes, to choose a new password.",
        ).get(lang).to_owned()],
        vec![FormBox::new("recover-password", "/selfcare/recover/password", L("Invia il codice", "Send the code").get(lang), sets)],
        errors,
        notices,
        vec![
            ("/selfcare/recover/emergency-code".into(), L("Non hai il codice di emergenza?", "No emergency code?").get(lang).into()),
            (SIGN_IN.into(), L("Torna all'accesso al Selfcare", "Back to the Selfcare sign-in").get(lang).into()),
        ],
    )
}

async fn password_form(ctx: Ctx) -> Response {
    password_page(ctx, &StepForm::default(), &FieldMessages::new(), Vec::new())
}

async fn password(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    // An existing identity costs a transaction more than an unknown username: the
    // same floor as the other recovery pages hides which one it was.
    let outcome = at_the_floor(ctx.service().recover_identity_password(
        &f.login_id,
        &f.emergency_code,
        Some(&ip),
    ))
    .await;
    match outcome {
        Ok(()) => Ok(done(
            ctx,
            L("Codice inviato", "Code sent"),
            L(
                "Ti abbiamo inviato all'email di riferimento un codice e un collegamento per scegliere la nuova password. Valgono 30 minuti.",
                "We sent your reference email a code and a link to choose the new password. They last 30 minutes.",
            ),
        )),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            password_page(ctx, &f, errors, notices)
        }),
    }
}

// ---- emergency code ---------------------------------------------------------

fn emergency_code_page(
    ctx: Ctx,
    f: &StepForm,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L("Username e password", "Username and password"),
        lang,
        vec![
            login_field(lang, &f.login_id),
            Field::new("password", L("Password", "Password"), "password", lang)
                .autocomplete("current-password"),
        ],
    )];
    FormsPage::render(
        ctx,
        L("Recupera il codice di emergenza", "Recover your emergency code").get(lang),
        vec![L(
            "Il codice di emergenza è conservato in forma cifrata e non può essere mostrato: ne emettiamo uno nuovo, in due metà (email e SMS), e il vecchio smette di funzionare. Prima confermiamo che sei tu, con username, password e un codice inviato all'email di riferimento.",
            "The emergency code is kept hashed and cannot be shown: we issue a new one, in two halves (email and SMS), and the old one stops working. First we confirm it is you, with username, password and a code sent to your reference email.",
        ).get(lang).to_owned()],
        vec![FormBox::new("recover-emergency", "/selfcare/recover/emergency-code", L("Continua", "Continue").get(lang), sets)],
        errors,
        notices,
        back(lang),
    )
}

fn emergency_confirm_page(
    ctx: Ctx,
    f: &StepForm,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L("Conferma", "Confirm"),
        lang,
        vec![
            login_field(lang, &f.login_id),
            Field::new(
                "code",
                L("Codice ricevuto per email", "Code received by email"),
                "text",
                lang,
            ),
        ],
    )];
    FormsPage::render(
        ctx,
        L("Recupera il codice di emergenza", "Recover your emergency code").get(lang),
        vec![L(
            "Ti abbiamo inviato un codice all'email di riferimento: inseriscilo per ricevere il nuovo codice di emergenza.",
            "We sent a code to your reference email: enter it to receive the new emergency code.",
        ).get(lang).to_owned()],
        vec![FormBox::new("recover-emergency-confirm", "/selfcare/recover/emergency-code/confirm", L("Emetti il nuovo codice", "Issue the new code").get(lang), sets)],
        errors,
        notices,
        back(lang),
    )
}

async fn emergency_code_form(ctx: Ctx) -> Response {
    emergency_code_page(ctx, &StepForm::default(), &FieldMessages::new(), Vec::new())
}

async fn emergency_code_start(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    match ctx
        .service()
        .start_emergency_code_recovery(&f.login_id, &f.password, Some(&ip))
        .await
    {
        Ok(()) => Ok(emergency_confirm_page(
            ctx,
            &f,
            &FieldMessages::new(),
            Vec::new(),
        )),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            emergency_code_page(ctx, &f, errors, notices)
        }),
    }
}

async fn emergency_code_confirm(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    match ctx
        .service()
        .finish_emergency_code_recovery(&f.login_id, &f.code, Some(&ip))
        .await
    {
        Ok(()) => Ok(done(
            ctx,
            L(
                "Nuovo codice di emergenza emesso",
                "New emergency code issued",
            ),
            L(
                "Ti abbiamo inviato la prima metà del nuovo codice per email e la seconda per SMS. Il codice precedente non vale più.",
                "We sent the first half of the new code by email and the second by SMS. The previous code no longer works.",
            ),
        )),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            emergency_confirm_page(ctx, &f, errors, notices)
        }),
    }
}
