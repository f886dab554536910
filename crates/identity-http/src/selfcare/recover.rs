//! What the selfcare sign-in page offers without signing in: recovering the
//! username, the password (with the emergency code) and the emergency code
//! itself, and the emergency block. Answers that could tell whether an identity
//! exists are the same either way and take the same time.

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use identity_core::Lang;
use identity_service::forms::FieldErrors;

use super::sign_in::{StepForm, emergency_field};
use super::{FormBox, FormsPage, SIGN_IN, refused};
use crate::AppState;
use crate::form::{Field, Fieldset};
use crate::i18n::L;
use crate::recovery::RECOVERY_ANSWER_TIME;
use crate::web::Ctx;

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
        .route("/selfcare/emergency-block", get(block_form).post(block))
        .route(
            "/selfcare/emergency-block/email",
            get(block_email_form).post(block_email),
        )
        .route("/selfcare/emergency-block/send", post(block_send))
}

fn back(lang: Lang) -> Vec<(String, String)> {
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

fn tax_code_field(lang: Lang, value: &str) -> Field {
    Field::new("tax_code", L("Codice fiscale", "Tax code"), "text", lang).value(value)
}

fn login_field(lang: Lang, value: &str) -> Field {
    Field::new("login_id", L("Username", "Username"), "text", lang)
        .value(value)
        .autocomplete("username")
}

fn done(mut ctx: Ctx, title: L, message: L) -> Response {
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
    errors: &FieldErrors,
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
    username_page(ctx, "", "", &FieldErrors::new(), Vec::new())
}

async fn username(ctx: Ctx, Form(f): Form<UsernameForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let started = tokio::time::Instant::now();
    let ip = ctx.ip.clone();
    let outcome = ctx
        .state
        .service
        .remind_identity_username(&f.tax_code, &f.email, Some(&ip))
        .await;
    tokio::time::sleep_until(started + RECOVERY_ANSWER_TIME).await;
    match outcome {
        Ok(()) => done(
            ctx,
            L("Richiesta ricevuta", "Request received"),
            L(
                "Se i dati corrispondono a un'identità digitale, abbiamo inviato lo username all'email di riferimento.",
                "If the details match a digital identity, we sent the username to the reference email.",
            ),
        ),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            username_page(ctx, &f.tax_code, &f.email, errors, notices)
        }),
    }
}

// ---- password ---------------------------------------------------------------

fn password_page(ctx: Ctx, f: &StepForm, errors: &FieldErrors, notices: Vec<String>) -> Response {
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
    password_page(ctx, &StepForm::default(), &FieldErrors::new(), Vec::new())
}

async fn password(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let ip = ctx.ip.clone();
    let outcome = ctx
        .state
        .service
        .recover_identity_password(&f.login_id, &f.emergency_code, Some(&ip))
        .await;
    match outcome {
        Ok(()) => done(
            ctx,
            L("Codice inviato", "Code sent"),
            L(
                "Ti abbiamo inviato all'email di riferimento un codice e un collegamento per scegliere la nuova password. Valgono 30 minuti.",
                "We sent your reference email a code and a link to choose the new password. They last 30 minutes.",
            ),
        ),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            password_page(ctx, &f, errors, notices)
        }),
    }
}

// ---- emergency code ---------------------------------------------------------

fn emergency_code_page(
    ctx: Ctx,
    f: &StepForm,
    errors: &FieldErrors,
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
    errors: &FieldErrors,
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
    emergency_code_page(ctx, &StepForm::default(), &FieldErrors::new(), Vec::new())
}

async fn emergency_code_start(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let ip = ctx.ip.clone();
    match ctx
        .state
        .service
        .start_emergency_code_recovery(&f.login_id, &f.password, Some(&ip))
        .await
    {
        Ok(()) => emergency_confirm_page(ctx, &f, &FieldErrors::new(), Vec::new()),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            emergency_code_page(ctx, &f, errors, notices)
        }),
    }
}

async fn emergency_code_confirm(ctx: Ctx, Form(f): Form<StepForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let ip = ctx.ip.clone();
    match ctx
        .state
        .service
        .finish_emergency_code_recovery(&f.login_id, &f.code, Some(&ip))
        .await
    {
        Ok(()) => done(
            ctx,
            L(
                "Nuovo codice di emergenza emesso",
                "New emergency code issued",
            ),
            L(
                "Ti abbiamo inviato la prima metà del nuovo codice per email e la seconda per SMS. Il codice precedente non vale più.",
                "We sent the first half of the new code by email and the second by SMS. The previous code no longer works.",
            ),
        ),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            emergency_confirm_page(ctx, &f, errors, notices)
        }),
    }
}

// ---- emergency block --------------------------------------------------------

fn block_page(ctx: Ctx, tax_code: &str, errors: &FieldErrors, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L(
            "Codice fiscale e codice di emergenza",
            "Tax code and emergency code",
        ),
        lang,
        vec![tax_code_field(lang, tax_code), emergency_field(lang)],
    )];
    FormsPage::render(
        ctx,
        L("Blocco d'emergenza", "Emergency block").get(lang),
        vec![L(
            "Se temi che qualcuno usi la tua identità digitale, sospendila subito, senza username né password. Ogni sessione aperta verrà chiusa. Avrai 30 giorni per riattivarla dal Selfcare.",
            "If you fear someone is using your digital identity, suspend it at once, without username or password. Every open session ends. You have 30 days to reactivate it from the Selfcare.",
        ).get(lang).to_owned()],
        vec![FormBox::new("block-emergency", "/selfcare/emergency-block", L("Blocca l'identità", "Block the identity").get(lang), sets)],
        errors,
        notices,
        vec![
            ("/selfcare/emergency-block/email".into(), L("Non hai il codice di emergenza? Ricevi un codice per email", "No emergency code? Get a code by email").get(lang).into()),
            (SIGN_IN.into(), L("Torna all'accesso al Selfcare", "Back to the Selfcare sign-in").get(lang).into()),
        ],
    )
}

fn blocked(ctx: Ctx) -> Response {
    done(
        ctx,
        L("Identità sospesa", "Identity suspended"),
        L(
            "La tua identità digitale è sospesa e ogni sessione è stata chiusa; ti abbiamo avvisato per email. Puoi riattivarla entro 30 giorni accedendo al Selfcare con le tue credenziali.",
            "Your digital identity is suspended and every session ended; we told you by email. You can reactivate it within 30 days by signing in to the Selfcare with your credentials.",
        ),
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct BlockForm {
    csrf: String,
    tax_code: String,
    emergency_code: String,
    code: String,
}

async fn block_form(ctx: Ctx) -> Response {
    block_page(ctx, "", &FieldErrors::new(), Vec::new())
}

async fn block(ctx: Ctx, Form(f): Form<BlockForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let ip = ctx.ip.clone();
    match ctx
        .state
        .service
        .emergency_block_with_code(&f.tax_code, &f.emergency_code, Some(&ip))
        .await
    {
        Ok(_) => blocked(ctx),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_page(ctx, &f.tax_code, errors, notices)
        }),
    }
}

fn block_email_page(
    ctx: Ctx,
    tax_code: &str,
    sent: bool,
    errors: &FieldErrors,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let mut forms = Vec::new();
    if sent {
        forms.push(FormBox::new(
            "block-code",
            "/selfcare/emergency-block/email",
            L("Blocca l'identità", "Block the identity").get(lang),
            vec![Fieldset::new(
                L(
                    "Codice fiscale e codice ricevuto",
                    "Tax code and code received",
                ),
                lang,
                vec![
                    tax_code_field(lang, tax_code),
                    Field::new(
                        "code",
                        L("Codice ricevuto per email", "Code received by email"),
                        "text",
                        lang,
                    ),
                ],
            )],
        ));
    } else {
        forms.push(FormBox::new(
            "block-send",
            "/selfcare/emergency-block/send",
            L("Inviami il codice", "Send me the code").get(lang),
            vec![Fieldset::new(
                L("Codice fiscale", "Tax code"),
                lang,
                vec![tax_code_field(lang, tax_code)],
            )],
        ));
    }
    let text = if sent {
        L(
            "Se il codice fiscale corrisponde a un'identità digitale attiva, ti abbiamo inviato un codice all'email di riferimento: inseriscilo qui per bloccarla.",
            "If the tax code matches an active digital identity, we sent a code to its reference email: enter it here to block it.",
        )
    } else {
        L(
            "Indica il codice fiscale: ti invieremo un codice all'email di riferimento della tua identità digitale per bloccarla.",
            "Enter your tax code: we send a code to the reference email of your digital identity to block it.",
        )
    };
    FormsPage::render(
        ctx,
        L(
            "Blocco d'emergenza con codice via email",
            "Emergency block with a code by email",
        )
        .get(lang),
        vec![text.get(lang).to_owned()],
        forms,
        errors,
        notices,
        vec![
            (
                "/selfcare/emergency-block".into(),
                L(
                    "Hai il codice di emergenza? Usalo",
                    "Have your emergency code? Use it",
                )
                .get(lang)
                .into(),
            ),
            (
                SIGN_IN.into(),
                L(
                    "Torna all'accesso al Selfcare",
                    "Back to the Selfcare sign-in",
                )
                .get(lang)
                .into(),
            ),
        ],
    )
}

async fn block_email_form(ctx: Ctx) -> Response {
    block_email_page(ctx, "", false, &FieldErrors::new(), Vec::new())
}

async fn block_send(ctx: Ctx, Form(f): Form<BlockForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let started = tokio::time::Instant::now();
    let ip = ctx.ip.clone();
    let outcome = ctx
        .state
        .service
        .send_emergency_block_code(&f.tax_code, Some(&ip))
        .await;
    tokio::time::sleep_until(started + RECOVERY_ANSWER_TIME).await;
    match outcome {
        Ok(()) => block_email_page(ctx, &f.tax_code, true, &FieldErrors::new(), Vec::new()),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_email_page(ctx, &f.tax_code, false, errors, notices)
        }),
    }
}

async fn block_email(ctx: Ctx, Form(f): Form<BlockForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.form_expired();
    }
    let ip = ctx.ip.clone();
    match ctx
        .state
        .service
        .emergency_block_with_email_code(&f.tax_code, &f.code, Some(&ip))
        .await
    {
        Ok(_) => blocked(ctx),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_email_page(ctx, &f.tax_code, true, errors, notices)
        }),
    }
}
