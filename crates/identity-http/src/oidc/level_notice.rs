//! When a service provider asks only for a level the holder may not have
//! (level 3: a security key), the holder is told so before any credential is
//! asked for, in Italian and English, with the way to add a key, and may go
//! back to the service, which then gets `access_denied`. A holder who signs
//! in anyway and turns out not to have the level gets the same page after the
//! password, without the way forward.

use askama::Template;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::Response;
use identity_core::CredentialLevel;
use identity_service::usecases::oidc::log::TransactionEntry;
use identity_service::usecases::oidc::provider::PendingAuthorization;

use super::{error_to_provider, forget_request, pending_request};
use crate::selfcare::SIGN_IN;
use crate::web::{Chrome, Ctx, Page, see_other};
use identity_words::L;

/// Why the service gets `access_denied`.
const NO_LEVEL: &str = "the user has no credential of the level asked for";

#[derive(Template)]
#[template(path = "oidc_level.html")]
struct LevelPage {
    c: Chrome,
    request_id: String,
    title: String,
    message: String,
    how_to_add: &'static str,
    add_key: &'static str,
    continue_link: Option<&'static str>,
    sign_in: &'static str,
    back: String,
}

/// Whether the request can only be performed with a security key.
#[must_use]
pub(crate) fn needs_only_a_key(pending: &PendingAuthorization) -> bool {
    !pending.request.levels.is_empty()
        && pending
            .request
            .levels
            .iter()
            .all(|l| *l == CredentialLevel::L3)
}

/// The page: before the sign-in (`before_sign_in`, with the way on for a
/// holder who has a key) or after a password that found no key.
pub(crate) fn level_page(
    mut ctx: Ctx,
    pending: &PendingAuthorization,
    before_sign_in: bool,
) -> Response {
    let lang = ctx.lang;
    let name = &pending.service_name;
    let c = ctx.selfcare_chrome(false);
    let message = if before_sign_in {
        L(
            format!(
                "{name} chiede un accesso SPID di livello 3: serve una chiave di sicurezza (ad esempio una chiavetta USB FIDO2) registrata sulla tua identità digitale. Senza una chiave non puoi accedere a questo servizio."
            ),
            format!(
                "{name} asks for a SPID level 3 sign-in: it needs a security key (for example a FIDO2 USB key) registered on your digital identity. Without a key you cannot sign in to this service."
            ),
        )
    } else {
        L(
            format!(
                "La tua identità digitale non ha una chiave di sicurezza attiva, che {name} chiede (livello 3 di SPID). Non puoi accedere a questo servizio finché non ne aggiungi una."
            ),
            format!(
                "Your digital identity has no active security key, which {name} asks for (SPID level 3). You cannot sign in to this service until you add one."
            ),
        )
    };
    let page = LevelPage {
        c,
        request_id: pending.id.clone(),
        title: L("Serve una chiave di sicurezza", "A security key is needed")
            .get(lang)
            .to_owned(),
        message: message.get(lang),
        how_to_add: L(
            "Per aggiungerne una, accedi al Selfcare e registra la chiave nella sezione delle credenziali:",
            "To add one, sign in to the Selfcare and register the key among your credentials:",
        )
        .get(lang),
        add_key: L("Aggiungi una chiave di sicurezza", "Add a security key").get(lang),
        continue_link: before_sign_in.then(|| {
            L(
                "Ho una chiave di sicurezza: continua",
                "I have a security key: continue",
            )
            .get(lang)
        }),
        sign_in: SIGN_IN,
        back: L(format!("Torna a {name}"), format!("Back to {name}")).get(lang),
    };
    // The form goes back to the service through a redirect to its origin.
    let mut resp = super::allowing_form_action_to(ctx.page(&page), &pending.request.redirect_uri);
    if !before_sign_in {
        *resp.status_mut() = StatusCode::FORBIDDEN;
    }
    resp
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct Cancel {
    csrf: String,
    /// The id of the request the page showed.
    request: String,
}

/// The holder goes back to the service without signing in: `access_denied`.
pub(super) async fn cancel(mut ctx: Ctx, Form(f): Form<Cancel>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let Some(pending) = pending_request(&ctx).filter(|p| p.id == f.request) else {
        return Ok(see_other(super::CONTINUE));
    };
    let service = ctx.service().clone();
    service
        .oidc_log(
            TransactionEntry::new(service.now(), "authorize", "access_denied")
                .client(&pending.request.client_id)
                .detail(NO_LEVEL)
                .ip(Some(&ctx.ip)),
        )
        .await?;
    forget_request(&mut ctx);
    let resp = error_to_provider(
        &ctx.state,
        &pending.request.redirect_uri,
        "access_denied",
        NO_LEVEL,
        Some(&pending.request.state),
    );
    Ok(ctx.respond(resp))
}
