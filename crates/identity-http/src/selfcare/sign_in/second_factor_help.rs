//! When the second factor cannot be given: a level 2 blocked after five wrong
//! codes is unblocked (with the emergency code or a code by email), and a lost
//! or changed phone is proven (with the emergency code, or codes by email and
//! SMS), both before any session.

use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use identity_core::Lang;
use identity_service::Outcome as _;
use identity_service::usecases::selfcare::lost_authenticator::{ReenrolProof, UnblockProof};
use identity_words::L;

use super::{StepForm, notice, signed_in, waiting, waiting_post};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset};
use crate::selfcare::{FormBox, FormsPage, SIGN_IN, as_client, client};
use crate::web::{Ctx, Page, see_other};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/sign-in/blocked", get(blocked_form))
        .route("/selfcare/sign-in/unblock", post(unblock))
        .route("/selfcare/sign-in/unblock/send", post(unblock_send))
        .route(
            "/selfcare/sign-in/lost-phone",
            get(lost_phone_form).post(lost_phone),
        )
        .route("/selfcare/sign-in/lost-phone/send", post(lost_phone_send))
}

fn blocked_page(ctx: Ctx, errors: &FieldMessages, notices: Vec<String>) -> Response {
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

pub(crate) fn emergency_field(lang: Lang) -> Field {
    Field::new("emergency_code", L("Codice di emergenza", "Emergency code"), "text", lang)
        .hint(L(
            "16 caratteri: le due metà ricevute per email e per SMS, una dopo l'altra. Trattini e spazi non contano.",
            "16 characters: the two halves received by email and SMS, one after the other. Dashes and spaces do not matter.",
        ).get(lang))
}

async fn blocked_form(ctx: Ctx) -> Page {
    Ok(match waiting(ctx).await? {
        (_, _, false) => see_other("/selfcare/sign-in/code"),
        (ctx, _, true) => blocked_page(ctx, &FieldMessages::new(), Vec::new()),
    })
}

async fn unblock(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let (ctx, token) = waiting_post(ctx, &f.csrf).await?;
    let proof = if f.emergency_code.trim().is_empty() {
        UnblockProof::EmailCode(&f.code)
    } else {
        UnblockProof::EmergencyCode(&f.emergency_code)
    };
    let service = ctx.service().clone();
    match service.unblock_level2(&token, proof).await.outcome()? {
        Ok(()) => Ok(see_other("/selfcare/sign-in/code")),
        Err(e) => notice(ctx, e, blocked_page),
    }
}

async fn unblock_send(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let (ctx, token) = waiting_post(ctx, &f.csrf).await?;
    let lang = ctx.lang;
    let service = ctx.service().clone();
    match service.send_unblock_code(&token).await.outcome()? {
        Ok(()) => {
            Ok(blocked_page(
                ctx,
                &FieldMessages::new(),
                vec![L(
                "Ti abbiamo inviato un codice all'email di riferimento: inseriscilo qui sotto.",
                "We sent a code to your reference email: enter it below.",
            )
            .text(lang)],
            ))
        }
        Err(e) => notice(ctx, e, blocked_page),
    }
}

fn lost_phone_page(ctx: Ctx, errors: &FieldMessages, notices: Vec<String>) -> Response {
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

async fn lost_phone_form(ctx: Ctx) -> Page {
    let (ctx, _, _) = waiting(ctx).await?;
    Ok(lost_phone_page(ctx, &FieldMessages::new(), Vec::new()))
}

async fn lost_phone(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let (ctx, token) = waiting_post(ctx, &f.csrf).await?;
    let proof = if f.emergency_code.trim().is_empty() {
        ReenrolProof::Codes {
            email: &f.email_code,
            sms: &f.sms_code,
        }
    } else {
        ReenrolProof::EmergencyCode(&f.emergency_code)
    };
    let who = client(&ctx);
    let service = ctx.service().clone();
    match service
        .reenrol_authenticator(&token, proof, as_client(&who))
        .await
        .outcome()?
    {
        Ok(s) => Ok(signed_in(
            ctx,
            &s,
            "/selfcare/credentials",
            Some("level2_ready"),
        )),
        Err(e) => notice(ctx, e, lost_phone_page),
    }
}

async fn lost_phone_send(ctx: Ctx, Form(f): Form<StepForm>) -> Page {
    let (ctx, token) = waiting_post(ctx, &f.csrf).await?;
    let lang = ctx.lang;
    let service = ctx.service().clone();
    match service.send_reenrol_codes(&token).await.outcome()? {
        Ok(()) => {
            Ok(lost_phone_page(
                ctx,
                &FieldMessages::new(),
                vec![L(
                "Ti abbiamo inviato un codice per email e uno per SMS: inseriscili qui sotto.",
                "We sent you a code by email and one by SMS: enter them below.",
            )
            .text(lang)],
            ))
        }
        Err(e) => notice(ctx, e, lost_phone_page),
    }
}
