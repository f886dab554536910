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
use identity_service::Outcome as _;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_words::Words;

use super::{Frame, Signed};
use crate::AppState;
use crate::account::contacts::{fieldsets, input_from_form, input_of};
use crate::account::overview::identity_rows;
use crate::form::{FieldMessages, Fieldset, attach_errors, error_summary};
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/profile", get(show).post(save))
        .route("/selfcare/profile/phone", get(phone_form).post(phone))
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
    errors: &FieldMessages,
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

async fn show(ctx: Ctx) -> Page {
    let s = Signed::from(ctx).await?;
    let holder = s.service().holder(s.session.holder_id).await?;
    let input = input_of(&holder);
    Ok(render(s, &holder, &input, &FieldMessages::new(), Vec::new()).await)
}

async fn save(ctx: Ctx, Form(raw): Form<HashMap<String, String>>) -> Page {
    let s = Signed::post(ctx, raw.get("csrf").map_or("", String::as_str)).await?;
    let input = input_from_form(&raw);
    let lang = s.lang();
    let service = s.service().clone();
    let result = service
        .update_contacts(
            s.session.holder_id,
            &input,
            ContactsAuth::Selfcare(&s.session),
        )
        .await;
    let holder = service.holder(s.session.holder_id).await?;
    Ok(match result.outcome()? {
        Ok(u) if u.phone_pending.is_some() => {
            s.redirect_with("/selfcare/profile/phone", "phone_pending")
        }
        Ok(u) if u.email_pending.is_some() => s.redirect_with("/selfcare/profile", "email_pending"),
        Ok(u) if u.changed.is_empty() => s.redirect_with("/selfcare/profile", "nothing_changed"),
        Ok(_) => s.redirect_with("/selfcare/profile", "profile_saved"),
        Err(ContactsError::Invalid(errors)) => {
            render(s, &holder, &input, &errors.into(), Vec::new()).await
        }
        Err(refused) => {
            // Here a re-authentication is a fresh sign-in at the highest level.
            let notice = match refused {
                ContactsError::ReauthRequired => CredentialError::NeedsFreshSignIn.words(lang),
                other => other.words(lang),
            };
            render(s, &holder, &input, &FieldMessages::new(), vec![notice]).await
        }
    })
}

fn phone_page(ctx: Ctx, errors: &FieldMessages, notices: Vec<String>) -> Response {
    let lang = ctx.lang;
    let sets = vec![Fieldset::new(
        L("Nuovo cellulare", "New mobile phone"),
        lang,
        vec![
            crate::form::Field::new(
                "code",
                L("Codice ricevuto per SMS", "Code received by SMS"),
                "text",
                lang,
            )
            .autocomplete("one-time-code"),
        ],
    )];
    super::FormsPage::render(
        ctx,
        L("Conferma il nuovo cellulare", "Confirm the new mobile phone").get(lang),
        vec![L(
            "Ti abbiamo inviato un codice per SMS al nuovo numero: il cambio avrà effetto quando lo inserirai qui. Il vecchio numero sarà avvisato.",
            "We sent a code by SMS to the new number: the change takes effect once you enter it here. The old number will be told.",
        )
        .get(lang)
        .to_owned()],
        vec![super::FormBox::new("confirm-phone", "/selfcare/profile/phone", L("Conferma", "Confirm").get(lang), sets)],
        errors,
        notices,
        vec![("/selfcare/profile".into(), L("Torna alle informazioni utente", "Back to user information").get(lang).into())],
    )
}

async fn phone_form(ctx: Ctx) -> Page {
    let s = Signed::from(ctx).await?;
    Ok(phone_page(s.ctx, &FieldMessages::new(), Vec::new()))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PhoneForm {
    csrf: String,
    code: String,
}

async fn phone(ctx: Ctx, Form(f): Form<PhoneForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    Ok(
        match service
            .confirm_phone_change(s.session.holder_id, &f.code)
            .await?
        {
            Some(_) => s.redirect_with("/selfcare/profile", "profile_saved"),
            None => {
                let mut errors = FieldMessages::new();
                errors.add("code", identity_words::PHONE_CODE_REFUSED);
                phone_page(s.ctx, &errors, Vec::new())
            }
        },
    )
}
