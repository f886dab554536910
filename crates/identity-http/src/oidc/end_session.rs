//! End-session (OpenID Connect RP-Initiated Logout): with an `id_token_hint`
//! that verifies and is about the holder signed in here, the provider session
//! ends and the browser goes back to the service provider, only to one of its
//! registered redirect URIs; otherwise the holder confirms first, and a page
//! says they are signed out.

use std::collections::BTreeMap;

use axum::extract::{Form, Query};
use axum::response::Response;
use identity_service::usecases::oidc::log::TransactionEntry;

use super::back_to_provider;
use crate::selfcare::SIGN_IN;
use crate::web::{Ctx, SimpleForm};
use identity_words::L;

pub(super) async fn from_query(
    ctx: Ctx,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    end_session(ctx, params).await
}

pub(super) async fn from_form(ctx: Ctx, Form(params): Form<BTreeMap<String, String>>) -> Response {
    end_session(ctx, params).await
}

/// Asks the holder to confirm (RP-Initiated Logout 1.0 section 2): a request
/// without an ID token of ours could come from any site.
fn confirm(mut ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let c = ctx.selfcare_chrome(false);
    let page = SimpleForm {
        c,
        title: L("Vuoi uscire?", "Sign out?").get(lang).to_owned(),
        intro: L(
            "Un servizio chiede di chiudere la sessione della tua identità digitale. Conferma per uscire.",
            "A service asks to end the session of your digital identity. Confirm to sign out.",
        )
        .get(lang)
        .to_owned(),
        action: "/oidc/logout",
        submit: L("Esci", "Sign out").get(lang).to_owned(),
        sets: Vec::new(),
        summary: Vec::new(),
        notices: Vec::new(),
        after: Vec::new(),
    };
    ctx.page(&page)
}

/// Whether the browser's selfcare session is the holder known to `client_id`
/// as `sub`.
async fn holds(ctx: &Ctx, client_id: &str, sub: &str) -> bool {
    match crate::selfcare::selfcare_session(ctx).await {
        Ok(Some(session)) => ctx
            .service()
            .pairwise_subject(client_id, session.holder_id)
            .await
            .is_ok_and(|mine| mine == sub),
        _ => false,
    }
}

async fn end_session(mut ctx: Ctx, params: BTreeMap<String, String>) -> Response {
    let service = ctx.service().clone();
    // A hint counts only when it is an ID token of ours about the holder
    // signed in here: anyone can hold some ID token, even their own.
    let hinted = match params.get("id_token_hint") {
        Some(hint) => match service.client_of_id_token(hint).await {
            Some((client_id, sub)) if holds(&ctx, &client_id, &sub).await => Some(client_id),
            _ => None,
        },
        None => None,
    };
    // Without a verified hint, only the holder's own confirmation (our form,
    // with its CSRF token) ends the session.
    let confirmed = params.get("csrf").is_some_and(|t| ctx.csrf_ok(t));
    if hinted.is_none() && !confirmed {
        return confirm(ctx);
    }
    crate::selfcare::end_selfcare_session(&mut ctx).await;
    let client_id = hinted;
    let target = match (&client_id, params.get("post_logout_redirect_uri")) {
        (Some(id), Some(uri)) => match service.oidc_client(id).await {
            Ok(Some((view, _))) => view
                .redirect_uris
                .iter()
                .any(|u| u == uri)
                .then(|| uri.clone()),
            _ => None,
        },
        _ => None,
    };
    let mut entry = TransactionEntry::new(service.now(), "end_session", "ok").ip(Some(&ctx.ip));
    if let Some(id) = &client_id {
        entry = entry.client(id);
    }
    if let Err(e) = service.oidc_log(entry).await {
        tracing::error!(error = %e, "logging an end-session request failed");
    }
    if let Some(uri) = target {
        let state = params.get("state").map(String::as_str);
        let query: Vec<(&str, &str)> = state.map(|s| ("state", s)).into_iter().collect();
        let resp = back_to_provider(&ctx.state, &uri, &query);
        return ctx.respond(resp);
    }
    let c = ctx.selfcare_chrome(false);
    ctx.message(
        c,
        L("Sei uscito", "You are signed out"),
        L(
            "Hai chiuso la sessione della tua identità digitale. Per accedere di nuovo a un servizio, torna al servizio.",
            "You ended the session of your digital identity. To sign in to a service again, go back to that service.",
        ),
        Some((SIGN_IN, L("Accedi al Selfcare", "Sign in to the Selfcare"))),
    )
}
