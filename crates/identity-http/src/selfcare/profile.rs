//! User information: all the holder's data; the secondary attributes (email,
//! phone, PEC, postal address) change only after a sign-in at the identity's
//! highest level within the last 10 minutes. A new email is confirmed on the
//! new address and the old one is told of every change.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::get;
use identity_core::Holder;
use identity_core::i18n::Localized;
use identity_service::forms::FieldErrors;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};

use super::{Frame, Signed};
use crate::AppState;
use crate::account::contacts::{fieldsets, input_of};
use crate::account::overview::identity_rows;
use crate::form::{Fieldset, attach_errors, error_summary};
use crate::i18n::L;
use crate::web::{Chrome, Ctx};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/selfcare/profile", get(show).post(save))
}

#[derive(Template)]
#[template(path = "selfcare_profile.html")]
struct ProfilePage {
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    data: Vec<(String, String)>,
    immutable: &'static str,
    edit_title: &'static str,
    stale: Option<&'static str>,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
}

async fn render(
    mut s: Signed,
    holder: &Holder,
    input: &ContactsInput,
    errors: &FieldErrors,
    notices: Vec<String>,
) -> Response {
    let lang = s.lang();
    let mut sets = fieldsets(input, lang);
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let stale = (!s.fresh()).then(|| {
        L(
            "Per cambiare email, telefono o PEC serve un accesso recente (ultimi 10 minuti) con il livello più alto che hai attivato: esci e accedi di nuovo. L'indirizzo postale puoi cambiarlo anche ora.",
            "To change email, phone or PEC you need a recent sign-in (last 10 minutes) at your highest level: sign out and sign in again. The postal address can change now too.",
        )
        .get(lang)
    });
    let data = identity_rows(holder, lang)
        .into_iter()
        .map(|r| (r.label, r.value))
        .collect();
    let f = Frame::new(&mut s, "/selfcare/profile");
    let c = s.ctx.selfcare_chrome(true);
    let page = ProfilePage {
        c,
        f,
        notices,
        title: L("Informazioni utente", "User information").get(lang),
        data,
        immutable: L(
            "Nome, cognome, codice fiscale e dati di nascita non si possono modificare: per un errore di battitura chiedi una rettifica dall'area clienti.",
            "Names, tax code and birth data cannot be changed: for a typo, ask for a correction from the customer area.",
        )
        .get(lang),
        edit_title: L("Contatti e indirizzo", "Contacts and address").get(lang),
        stale,
        submit: L("Salva", "Save").get(lang),
        sets,
        summary,
    };
    s.ctx.form_page(&page, failed)
}

async fn show(ctx: Ctx) -> Response {
    let s = match Signed::from(ctx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let holder = match s.ctx.state.service.holder(s.session.holder_id).await {
        Ok(h) => h,
        Err(e) => return s.ctx.failure(&e),
    };
    let input = input_of(&holder);
    render(s, &holder, &input, &FieldErrors::new(), Vec::new()).await
}

async fn save(ctx: Ctx, Form(raw): Form<HashMap<String, String>>) -> Response {
    let s = match Signed::post(ctx, raw.get("csrf").map_or("", String::as_str)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let get = |k: &str| raw.get(k).cloned().unwrap_or_default();
    let input = ContactsInput {
        email: get("email"),
        email_confirm: get("email_confirm"),
        phone: get("phone"),
        pec: get("pec"),
        street: get("street"),
        postal_code: get("postal_code"),
        municipality: get("municipality"),
        province: get("province"),
        country: get("country"),
    };
    let lang = s.lang();
    let service = s.ctx.state.service.clone();
    let result = service
        .update_contacts(
            s.session.holder_id,
            &input,
            ContactsAuth::Selfcare(&s.session),
        )
        .await;
    let holder = match service.holder(s.session.holder_id).await {
        Ok(h) => h,
        Err(e) => return s.ctx.failure(&e),
    };
    match result {
        Ok(u) if u.email_pending.is_some() => s.redirect_with("/selfcare/profile", "email_pending"),
        Ok(u) if u.changed.is_empty() => s.redirect_with("/selfcare/profile", "nothing_changed"),
        Ok(_) => s.redirect_with("/selfcare/profile", "profile_saved"),
        Err(ContactsError::Invalid(errors)) => {
            render(s, &holder, &input, &errors, Vec::new()).await
        }
        Err(e @ (ContactsError::ReauthRequired | ContactsError::EmailNotVerified)) => {
            let notice = match e {
                ContactsError::ReauthRequired => {
                    identity_service::usecases::selfcare::SelfcareError::NeedsFreshSignIn
                        .message(lang)
                }
                other => other.message(lang),
            };
            render(s, &holder, &input, &FieldErrors::new(), vec![notice]).await
        }
        Err(e) => s.ctx.failure(&e),
    }
}
