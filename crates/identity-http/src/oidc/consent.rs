//! After the authorization request: the holder signs in (a level-1 session is
//! reused; levels 2 and 3 need a sign-in made after the request), the identity
//! is checked, and the consent page lists the service provider and the
//! attributes it will receive, with accept and deny.

use askama::Template;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::Response;
use identity_core::oidc::authorize::session_answers;
use identity_core::{CredentialLevel, Lang, LoginId, Session};
use identity_service::usecases::oidc::provider::{AuthorizationRefused, PendingAuthorization};

use super::{back_to_provider, error_to_provider, forget_request, pending_request};
use crate::selfcare::SIGN_IN;
use crate::web::{Chrome, Ctx, Page, PageError, see_other};
use identity_words::L;

#[derive(Template)]
#[template(path = "oidc_consent.html")]
struct ConsentPage {
    c: Chrome,
    request_id: String,
    area: &'static str,
    title: String,
    intro: String,
    who: String,
    attributes_heading: &'static str,
    attributes: Vec<&'static str>,
    no_attributes: &'static str,
    offline: Option<&'static str>,
    accept: &'static str,
    deny: &'static str,
}

/// The attribute's name for the holder.
fn label(attribute: &str) -> L {
    match attribute {
        "given_name" => L("Nome", "Given name"),
        "family_name" => L("Cognome", "Family name"),
        "email" => L("Indirizzo email", "Email address"),
        "phone_number" => L("Numero di cellulare", "Mobile phone number"),
        "birthdate" => L("Data di nascita", "Date of birth"),
        "gender" => L("Sesso", "Sex"),
        "place_of_birth" => L("Luogo di nascita", "Place of birth"),
        "address" => L("Indirizzo di residenza", "Home address"),
        "fiscal_number" => L("Codice fiscale", "Tax code"),
        "spid_code" => L("Codice identificativo dell'identità", "Identity code"),
        "company_name" => L("Ragione sociale", "Business name"),
        "vat_number" => L("Partita IVA", "VAT number"),
        _ => L("Altro dato", "Other data"),
    }
}

/// The page when the request is gone (expired, or never made here).
fn expired(mut ctx: Ctx) -> Response {
    let c = ctx.selfcare_chrome(false);
    let mut resp = ctx.message(
        c,
        L("Richiesta di accesso non più valida", "Sign-in request no longer valid"),
        L(
            "La richiesta di accesso del servizio è già stata completata, è scaduta (vale 15 minuti) o non è stata fatta da questo browser. Torna al servizio: se serve, ti chiederà di accedere di nuovo.",
            "The service's sign-in request was already completed, expired (it lasts 15 minutes) or was not made from this browser. Go back to the service: if needed, it will ask you to sign in again.",
        ),
        None,
    );
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp
}

/// The selfcare session that can answer `pending`: one at level 1 is reused,
/// others must come after the request. A session after the request at too low
/// a level is returned too, and refused by the identity check.
async fn answering_session(
    ctx: &Ctx,
    pending: &PendingAuthorization,
) -> Result<Option<Session>, identity_service::StoreError> {
    let Some(session) = crate::selfcare::selfcare_session(ctx).await? else {
        return Ok(None);
    };
    let fresh = session.created_at >= pending.started_at;
    let answers = session_answers(
        &pending.request,
        session.level,
        session.created_at,
        pending.started_at,
    );
    Ok((answers || fresh).then_some(session))
}

/// `access_denied` back to the service provider, the request forgotten.
fn denied(mut ctx: Ctx, pending: &PendingAuthorization, why: &str) -> Response {
    forget_request(&mut ctx);
    let resp = error_to_provider(
        &ctx.state,
        &pending.request.redirect_uri,
        "access_denied",
        why,
        Some(&pending.request.state),
    );
    ctx.respond(resp)
}

/// The request this browser is in and the session that answers it, or the
/// page to show instead (expired request, or the sign-in).
async fn waiting(ctx: Ctx) -> Result<(Ctx, PendingAuthorization, Session), PageError> {
    let Some(pending) = pending_request(&ctx) else {
        return Err(expired(ctx).into());
    };
    match answering_session(&ctx, &pending).await? {
        Some(s) => Ok((ctx, pending, s)),
        // Only a security key will do: the holder hears it before being
        // asked for any credential.
        None if super::level_notice::needs_only_a_key(&pending) => {
            Err(super::level_notice::level_page(ctx, &pending, true).into())
        }
        None => Err(see_other(SIGN_IN).into()),
    }
}

pub(super) async fn show(ctx: Ctx) -> Page {
    let (mut ctx, pending, session) = waiting(ctx).await?;
    let service = ctx.service().clone();
    // An expired password is changed first, in the selfcare.
    if matches!(
        service.password_age(session.login).await,
        Ok(identity_core::PasswordAge::Expired)
    ) {
        return Ok(see_other("/selfcare/credentials#password"));
    }
    match service
        .oidc_check_identity(&session, &pending, Some(&ctx.ip))
        .await
    {
        Ok(()) => {}
        Err(AuthorizationRefused::AccessDenied(why)) => return Ok(denied(ctx, &pending, why)),
        Err(AuthorizationRefused::Infra(e)) => return Err(e.into()),
    }
    let lang = ctx.lang;
    let username = LoginId::new(session.login, &service.config().login_domain);
    let name = &pending.service_name;
    let level = session.level.as_u8();
    let c = ctx.selfcare_chrome(false);
    let page = ConsentPage {
        c,
        request_id: pending.id.clone(),
        area: "SPID",
        title: L(format!("Accesso a {name}"), format!("Sign in to {name}")).get(lang),
        intro: L(format!(
                "{name} chiede di conoscere i dati qui sotto. Se acconsenti, li riceverà e accederai al servizio."
            ), format!(
                "{name} asks for the data below. If you agree, it receives them and you are signed in to the service."
            )).get(lang),
        who: L(format!("Identità {username}, accesso di livello {level}."), format!("Identity {username}, level {level} sign-in.")).get(lang),
        attributes_heading: L("Dati che riceverà", "Data it will receive").get(lang),
        // In the registration form's order (names first), not alphabetical.
        attributes: identity_service::usecases::service_providers::ATTRIBUTES
            .iter()
            .filter(|a| pending.request.attributes.iter().any(|r| r == *a))
            .map(|a| label(a).get(lang))
            .collect(),
        no_attributes: L(
            "Nessun dato personale: solo la conferma che sei tu.",
            "No personal data: only the confirmation that it is you.",
        )
        .get(lang),
        offline: pending.request.offline_access.then(|| {
            L(
                "Il servizio potrà continuare a leggere questi dati per 30 giorni senza chiederti di accedere di nuovo.",
                "The service may go on reading these data for 30 days without asking you to sign in again.",
            )
            .get(lang)
        }),
        accept: L("Acconsento", "I agree").get(lang),
        deny: L("Non acconsento", "I do not agree").get(lang),
    };
    // The decision is posted here and then redirected to the service
    // provider: the page's form-action must allow that origin.
    let resp = ctx.page(&page);
    Ok(super::allowing_form_action_to(
        resp,
        &pending.request.redirect_uri,
    ))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct Decision {
    csrf: String,
    decision: String,
    /// The id of the request the page showed.
    request: String,
}

pub(super) async fn decide(ctx: Ctx, Form(f): Form<Decision>) -> Page {
    if !ctx.csrf_ok(&f.csrf) {
        return Ok(ctx.form_expired());
    }
    let (mut ctx, pending, session) = waiting(ctx).await?;
    // Another request replaced the one the holder saw (another tab): show
    // the current one instead of deciding it unseen.
    if f.request != pending.id {
        return Ok(see_other(super::CONTINUE));
    }
    let accepted = match f.decision.as_str() {
        "accept" => true,
        "deny" => false,
        _ => return Ok(see_other(super::CONTINUE)),
    };
    let service = ctx.service().clone();
    Ok(
        match service
            .oidc_decide(&session, &pending, accepted, Some(&ctx.ip))
            .await
        {
            Ok(code) => {
                forget_request(&mut ctx);
                let request = &pending.request;
                let resp = back_to_provider(
                    &ctx.state,
                    &request.redirect_uri,
                    &[("code", &code), ("state", &request.state)],
                );
                ctx.respond(resp)
            }
            Err(AuthorizationRefused::AccessDenied(why)) => denied(ctx, &pending, why),
            Err(AuthorizationRefused::Infra(e)) => return Err(e.into()),
        },
    )
}

/// The notice on the sign-in page while a service provider waits.
pub(crate) fn signing_in_for(pending: &PendingAuthorization, lang: Lang) -> String {
    let name = &pending.service_name;
    let first = pending
        .request
        .levels
        .first()
        .copied()
        .unwrap_or(pending.request.level);
    let level = first.as_u8();
    let second = if first > CredentialLevel::L1 {
        L(
            " Ti chiederemo anche il secondo fattore.",
            " We will also ask for your second factor.",
        )
        .get(lang)
    } else {
        ""
    };
    L(
        format!("Stai accedendo a {name} con la tua identità digitale, livello {level}.{second}"),
        format!("You are signing in to {name} with your digital identity, level {level}.{second}"),
    )
    .get(lang)
}
