//! Confirming an email address with the code from the mail (no sign-in needed:
//! the code is the proof), and asking for the code again. Opening the link only
//! shows the form: the code is used by the button, so mail scanners that follow
//! links cannot use it up.

use axum::Router;
use axum::extract::{Form, Query};
use axum::response::Response;
use axum::routing::{get, post};
use identity_service::usecases::email::EmailVerified;
use identity_words::Words;

use crate::AppState;
use crate::form::{Field, Fieldset, error_summary};
use crate::web::{Ctx, MessagePage, Page, SimpleForm};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/verify-email", get(form).post(verify))
        .route("/account/verify-email/resend", post(resend))
}

#[derive(serde::Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

fn page(mut ctx: Ctx, code: &str, error: Option<String>) -> Response {
    let lang = ctx.lang;
    let mut field = Field::new(
        "code",
        L("Codice di conferma", "Confirmation code"),
        "text",
        lang,
    )
    .value(code)
    .autocomplete("one-time-code")
    .hint(
        L(
            "Il codice di 16 caratteri del messaggio, ad esempio ABCD-EFGH-JKMN-PQRS.",
            "The 16-character code in the message, for example ABCD-EFGH-JKMN-PQRS.",
        )
        .get(lang),
    );
    field.error = error;
    let sets = vec![Fieldset::new(
        L("Conferma", "Confirmation"),
        lang,
        vec![field],
    )];
    let failed = sets[0].fields[0].error.is_some();
    let c = ctx.chrome(false);
    let body = SimpleForm {
        c,
        title: L("Conferma l'indirizzo email", "Confirm your email address")
            .get(lang)
            .to_owned(),
        intro: L(
            "Premi Conferma per verificare l'indirizzo email con il codice ricevuto.",
            "Press Confirm to verify the email address with the code you received.",
        )
        .get(lang)
        .to_owned(),
        action: "/account/verify-email",
        submit: L("Conferma", "Confirm").get(lang).to_owned(),
        summary: error_summary(&sets),
        sets,
        notices: Vec::new(),
        after: Vec::new(),
    };
    ctx.form_page(&body, failed)
}

async fn form(ctx: Ctx, Query(q): Query<CodeForm>) -> Response {
    page(ctx, &q.code, None)
}

async fn verify(mut ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let lang = ctx.lang;
    Ok(match ctx.service().verify_email_code(&f.code).await {
        Ok(outcome) => {
            let message = match outcome {
                EmailVerified::Registration(_) => L(
                    "Indirizzo email confermato. Ora puoi usare tutte le funzioni dell'area clienti.",
                    "Email address confirmed. You can now use every function of the customer area.",
                ),
                EmailVerified::Changed(_) => L(
                    "Nuovo indirizzo email confermato: da ora è il tuo indirizzo di riferimento. Abbiamo avvisato anche il vecchio indirizzo.",
                    "New email address confirmed: it is now your reference address. We told the old address too.",
                ),
            };
            let signed_in = ctx.session().await.is_some();
            let c = ctx.chrome(signed_in);
            let body = MessagePage {
                c,
                title: L("Email confermata", "Email confirmed")
                    .get(lang)
                    .to_owned(),
                message: message.get(lang).to_owned(),
                link: Some((
                    "/account".to_owned(),
                    L("Vai all'area clienti", "Go to the customer area")
                        .get(lang)
                        .to_owned(),
                )),
            };
            ctx.page(&body)
        }
        Err(identity_service::usecases::email::VerifyEmailError::Infra(e)) => return Err(e.into()),
        Err(e) => {
            let msg = e.words(lang);
            page(ctx, &f.code, Some(msg))
        }
    })
}

async fn resend(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = super::signed_post(ctx, &f.csrf).await?;
    Ok(
        match s
            .service()
            .resend_email_verification(s.session.holder_id)
            .await
        {
            Ok(true) => s.redirect_with("/account", "verification_sent"),
            Ok(false) => s.redirect_with("/account", "verification_not_sent"),
            Err(e) => return Err(e.into()),
        },
    )
}
