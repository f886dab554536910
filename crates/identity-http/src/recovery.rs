//! Lost account ("Smarrimento account"), from the customer-area sign-in page:
//! forgotten login ids are mailed to the reference email; a forgotten password is
//! replaced after a code sent there. The pages say the same whether or not
//! anything matched.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::response::Response;
use axum::routing::{get, post};
use identity_service::Outcome as _;
use identity_service::usecases::recovery::RecoveryError;
use identity_words::Words;

use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::new_password_fields;
use crate::web::{Chrome, Ctx, MessagePage, Page, SimpleForm};
use identity_words::L;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/recover", get(show))
        .route("/account/recover/login-ids", post(login_ids))
        .route("/account/recover/password", post(password))
        .route("/account/reset-password", get(reset_form).post(reset))
}

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage {
    c: Chrome,
    title: &'static str,
    ids_title: &'static str,
    ids_intro: &'static str,
    ids_submit: &'static str,
    ids_sets: Vec<Fieldset>,
    pw_title: &'static str,
    pw_intro: &'static str,
    pw_submit: &'static str,
    pw_sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
struct RecoverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    fiscal_code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    login_id: String,
}

fn render(
    mut ctx: Ctx,
    form: &RecoverForm,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Response {
    let lang = ctx.lang;
    let mut ids_sets = vec![Fieldset::new(
        L("Dati di riferimento", "Your details"),
        lang,
        vec![
            Field::new(
                "fiscal_code",
                L("Codice fiscale o partita IVA", "Tax code or VAT number"),
                "text",
                lang,
            )
            .value(&form.fiscal_code),
            Field::new(
                "email",
                L("Email di riferimento", "Reference email"),
                "email",
                lang,
            )
            .value(&form.email)
            .autocomplete("email"),
        ],
    )];
    let mut pw_sets = vec![Fieldset::new(
        L("Login", "Login id"),
        lang,
        vec![
            Field::new("login_id", L("Login", "Login id"), "text", lang)
                .value(&form.login_id)
                .autocomplete("username"),
        ],
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut ids_sets, errors, lang));
    let _ = attach_errors(&mut pw_sets, errors, lang);
    let mut summary = error_summary(&ids_sets);
    summary.extend(error_summary(&pw_sets));
    notices.retain(|n| !summary.iter().any(|(_, s)| s.ends_with(n.as_str())));
    let failed = !summary.is_empty() || !notices.is_empty();
    let c = ctx.chrome(false);
    let page = RecoverPage {
        c,
        title: L("Hai smarrito l'account?", "Lost your account?").get(lang),
        ids_title: L("Recupera la login", "Recover your login id").get(lang),
        ids_intro: L(
            "Indica il codice fiscale (o la partita IVA) e l'email di riferimento: se corrispondono a una registrazione, ti invieremo lì le login associate.",
            "Enter the tax code (or VAT number) and the reference email: if they match a registration, we will send the associated login ids there.",
        )
        .get(lang),
        ids_submit: L("Invia le login", "Send my login ids").get(lang),
        ids_sets,
        pw_title: L("Reimposta la password", "Reset your password").get(lang),
        pw_intro: L(
            "Indica la login: se esiste, invieremo all'email di riferimento un codice valido 30 minuti per scegliere una nuova password.",
            "Enter the login id: if it exists, we will send the reference email a code valid for 30 minutes to choose a new password.",
        )
        .get(lang),
        pw_submit: L("Invia il codice", "Send the code").get(lang),
        pw_sets,
        summary,
        notices,
    };
    ctx.form_page(&page, failed)
}

async fn show(ctx: Ctx) -> Response {
    render(
        ctx,
        &RecoverForm::default(),
        &FieldMessages::new(),
        Vec::new(),
    )
}

/// The one answer to a recovery request, matched or not.
fn sent(mut ctx: Ctx, text: L) -> Response {
    let c = ctx.chrome(false);
    ctx.message(
        c,
        L("Richiesta ricevuta", "Request received"),
        text,
        Some((
            "/account/sign-in",
            L("Torna all'accesso", "Back to sign-in"),
        )),
    )
}

fn refused(ctx: Ctx, form: &RecoverForm, e: RecoveryError) -> Page {
    let lang = ctx.lang;
    Ok(match e {
        RecoveryError::Invalid(errors) => render(ctx, form, &errors.into(), Vec::new()),
        RecoveryError::Infra(e) => return Err(e.into()),
        other => {
            let notice = other.words(lang);
            let mut resp = render(ctx, form, &FieldMessages::new(), vec![notice]);
            *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            resp
        }
    })
}

/// How long a lost-account request takes at least, matched or not: the work for an
/// account that exists (a code, a mail, an audit record) must not show in the
/// response time.
pub(crate) const RECOVERY_ANSWER_TIME: std::time::Duration = std::time::Duration::from_millis(600);

/// Runs `work` and returns its outcome no sooner than [`RECOVERY_ANSWER_TIME`]
/// after it started: every page that takes an identifier without its credential
/// and does more work for one on file answers through it.
pub(crate) async fn at_the_floor<T>(work: impl std::future::Future<Output = T>) -> T {
    let started = tokio::time::Instant::now();
    let outcome = work.await;
    tokio::time::sleep_until(started + RECOVERY_ANSWER_TIME).await;
    outcome
}

/// Answers a lost-account request: with `text` whether or not anything matched,
/// or with what was refused (malformed input, too many requests).
async fn answer(ctx: Ctx, f: &RecoverForm, outcome: Result<(), RecoveryError>, text: L) -> Page {
    match outcome {
        Ok(()) => Ok(sent(ctx, text)),
        Err(e) => refused(ctx, f, e),
    }
}

async fn login_ids(ctx: Ctx, Form(f): Form<RecoverForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    let outcome = at_the_floor(
        ctx.service()
            .remind_login_ids(&f.fiscal_code, &f.email, Some(&ip)),
    )
    .await;
    answer(ctx, &f, outcome, L(
                "Se i dati corrispondono a una registrazione, abbiamo inviato le login all'email di riferimento. Controlla anche la posta indesiderata.",
                "If the details match a registration, we sent the login ids to the reference email. Check your spam folder too.",
            ))
    .await
}

async fn password(ctx: Ctx, Form(f): Form<RecoverForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    let outcome = at_the_floor(ctx.service().request_password_reset(&f.login_id, Some(&ip))).await;
    answer(ctx, &f, outcome, L(
                "Se la login esiste, abbiamo inviato all'email di riferimento un codice valido 30 minuti: apri il link del messaggio per scegliere la nuova password.",
                "If the login id exists, we sent the reference email a code valid for 30 minutes: open the link in the message to choose the new password.",
            ))
    .await
}

#[derive(serde::Deserialize, Default)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn reset_page(mut ctx: Ctx, code: &str, errors: &FieldMessages, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let policy = ctx.service().config().password_policy.clone();
    let mut sets = vec![Fieldset::new(
        L("Nuova password", "New password"),
        lang,
        vec![
            Field::new(
                "code",
                L("Codice ricevuto per email", "Code received by email"),
                "text",
                lang,
            )
            .value(code)
            .autocomplete("one-time-code"),
        ]
        .into_iter()
        .chain(new_password_fields(&policy, lang))
        .collect(),
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let c = ctx.chrome(false);
    let page = SimpleForm {
        c,
        title: L("Scegli una nuova password", "Choose a new password").get(lang).to_owned(),
        intro: L(
            "Il codice vale 30 minuti e una sola volta. Dopo la modifica tutte le sessioni aperte con questa login verranno chiuse.",
            "The code is valid for 30 minutes and once only. After the change, every session open with this login ends.",
        )
        .get(lang)
        .to_owned(),
        action: "/account/reset-password",
        submit: L("Cambia la password", "Change the password").get(lang).to_owned(),
        sets,
        summary,
        notices,
        after: vec![("/account/recover".to_owned(), L("Chiedi un nuovo codice", "Ask for a new code").get(lang).to_owned())],
    };
    ctx.form_page(&page, failed)
}

async fn reset_form(ctx: Ctx, Query(q): Query<ResetForm>) -> Response {
    reset_page(ctx, &q.code, &FieldMessages::new(), Vec::new())
}

async fn reset(ctx: Ctx, Form(f): Form<ResetForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let lang = ctx.lang;
    let ip = ctx.ip.clone();
    let reset = ctx
        .service()
        .reset_password(&f.code, &f.password, &f.password_confirm, Some(&ip))
        .await
        .outcome()?;
    Ok(match reset {
        Ok(id) => {
            let mut ctx = ctx;
            let c = ctx.chrome(false);
            let page = MessagePage {
                c,
                title: L("Password cambiata", "Password changed").text(lang),
                message: L(
                    format!(
                        "La password della login {id} è stata cambiata. Ora puoi accedere con la nuova password."
                    ),
                    format!(
                        "The password of login {id} was changed. You can now sign in with the new password."
                    ),
                )
                .get(lang),
                link: Some(("/account/sign-in".to_owned(), L("Accedi", "Sign in").text(lang))),
            };
            ctx.page(&page)
        }
        Err(RecoveryError::Invalid(errors)) => reset_page(ctx, &f.code, &errors.into(), Vec::new()),
        Err(RecoveryError::InvalidCode) => {
            let mut errors = FieldMessages::new();
            errors.add("code", RecoveryError::InvalidCode);
            reset_page(ctx, &f.code, &errors, Vec::new())
        }
        Err(refused) => {
            let notice = refused.words(lang);
            reset_page(ctx, &f.code, &FieldMessages::new(), vec![notice])
        }
    })
}
