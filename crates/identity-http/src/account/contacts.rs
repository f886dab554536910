//! Changing contacts and address. With a live digital identity the recovery
//! channels (email, phone, PEC) need a fresh re-authentication with the
//! identity's username, offered on the same page.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use identity_core::{Holder, Lang, LoginId};
use identity_service::Outcome as _;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};
use identity_service::usecases::register_input::RegistrationInput;
use identity_words::Words;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::{address_fieldset, contacts_fieldset};
use crate::web::Chrome;
use crate::web::Ctx;
use crate::web::{Page, PageError};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/contacts", get(show).post(save))
        .route("/account/contacts/phone", get(phone_form).post(phone))
        .route("/account/reauth", post(reauth))
}

/// The re-authentication box: whose password to enter.
struct Reauth {
    text: String,
    /// The identity signs in with a second factor: the change is made from the
    /// selfcare, signed in at that level, not with a password here.
    selfcare_only: bool,
    password_label: &'static str,
    submit: &'static str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account_contacts.html")]
struct ContactsPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    intro: &'static str,
    submit: &'static str,
    reauth: Option<Reauth>,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

/// The contacts form as posted (missing fields are empty).
pub(crate) fn input_from_form(raw: &HashMap<String, String>) -> ContactsInput {
    let get = |k: &str| raw.get(k).cloned().unwrap_or_default();
    ContactsInput {
        email: get("email"),
        email_confirm: get("email_confirm"),
        phone: get("phone"),
        pec: get("pec"),
        street: get("street"),
        postal_code: get("postal_code"),
        municipality: get("municipality"),
        province: get("province"),
        country: get("country"),
    }
}

pub(crate) fn input_of(h: &Holder) -> ContactsInput {
    let a = h.address();
    let c = h.contacts();
    ContactsInput {
        email: c.email.to_string(),
        email_confirm: c.email.to_string(),
        phone: c.phone.to_string(),
        pec: c.pec.as_ref().map(ToString::to_string).unwrap_or_default(),
        street: a.street.clone(),
        postal_code: a
            .postal_code
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        municipality: a.municipality.clone(),
        province: a.province.to_string(),
        country: if a.province.is_abroad() {
            a.country.clone()
        } else {
            String::new()
        },
    }
}

pub(crate) fn fieldsets(i: &ContactsInput, lang: Lang) -> Vec<Fieldset> {
    let as_reg = RegistrationInput {
        email: i.email.clone(),
        email_confirm: i.email_confirm.clone(),
        phone: i.phone.clone(),
        pec: i.pec.clone(),
        street: i.street.clone(),
        postal_code: i.postal_code.clone(),
        municipality: i.municipality.clone(),
        province: i.province.clone(),
        country: i.country.clone(),
        ..RegistrationInput::default()
    };
    vec![
        contacts_fieldset(
            lang,
            &as_reg,
            Some(L(
                "Un nuovo indirizzo vale solo dopo la conferma con il codice che vi invieremo; il vecchio indirizzo sarà avvisato.",
                "A new address applies only once confirmed with the code we send to it; the old address will be told.",
            )),
        ),
        address_fieldset(L("Indirizzo", "Address"), lang, &as_reg),
    ]
}

/// The re-authentication box when the holder has a live identity and the
/// session is not fresh.
async fn reauth_box(s: &Signed, error: Option<String>) -> Result<Option<Reauth>, PageError> {
    let service = s.service();
    let lang = s.lang();
    let Some(username) = service.live_identity_username(s.session.holder_id).await? else {
        return Ok(None);
    };
    if service.freshly_reauthenticated(&s.session) {
        return Ok(None);
    }
    let username = LoginId::new(username, &service.config().login_domain);
    if service
        .identity_needs_second_factor(s.session.holder_id)
        .await?
    {
        return Ok(Some(Reauth {
            text: L(
                format!(
                    "Hai un'identità digitale con credenziali di livello 2: email, telefono e PEC si cambiano dal Selfcare, nelle Informazioni utente, dopo l'accesso con {username} e il codice dell'app. Qui puoi cambiare l'indirizzo postale."
                ),
                format!(
                    "You hold a digital identity with level 2 credentials: email, phone and PEC change from the Selfcare, under User information, after signing in with {username} and the app's code. Here you can change the postal address."
                ),
            )
            .get(lang),
            selfcare_only: true,
            password_label: "",
            submit: L("Vai al Selfcare", "Go to the Selfcare").get(lang),
            error,
        }));
    }
    Ok(Some(Reauth {
        selfcare_only: false,
        text: L(
            format!(
                "Hai un'identità digitale: per cambiare email, telefono o PEC conferma prima la tua identità con la password del nome utente {username}. La conferma vale 10 minuti."
            ),
            format!(
                "You hold a digital identity: to change email, phone or PEC, first confirm your identity with the password of the username {username}. The confirmation lasts 10 minutes."
            ),
        )
        .get(lang),
        password_label: L("Password del nome utente", "Username's password").get(lang),
        submit: L("Conferma identità", "Confirm identity").get(lang),
        error,
    }))
}

async fn render(
    mut s: Signed,
    holder: &Holder,
    input: &ContactsInput,
    errors: &FieldMessages,
    notices: Vec<String>,
    reauth_error: Option<String>,
) -> Page {
    let lang = s.lang();
    let reauth = reauth_box(&s, reauth_error).await?;
    let mut sets = fieldsets(input, lang);
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let f = Frame::new(&mut s, Section::Contacts, holder);
    let c = s.ctx.chrome(true);
    let failed = !summary.is_empty() || !notices.is_empty();
    let page = ContactsPage {
        c,
        f,
        title: L(
            "Modifica contatti e indirizzo",
            "Change contacts and address",
        )
        .get(lang),
        intro: L(
            "Le modifiche valgono per tutte le login associate ai tuoi dati.",
            "Changes apply to every login sharing your details.",
        )
        .get(lang),
        submit: L("Salva", "Save").get(lang),
        reauth,
        sets,
        summary,
        notices,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    let s = Signed::from(ctx).await?;
    let holder = s.holder().await?;
    let input = input_of(&holder);
    render(s, &holder, &input, &FieldMessages::new(), Vec::new(), None).await
}

async fn save(ctx: Ctx, Form(raw): Form<HashMap<String, String>>) -> Page {
    let (s, holder) = super::action(ctx, raw.get("csrf").map_or("", String::as_str)).await?;
    let input = input_from_form(&raw);
    let lang = s.lang();
    let result = s
        .service()
        .update_contacts(
            s.session.holder_id,
            &input,
            ContactsAuth::Session(&s.session),
        )
        .await
        .outcome()?;
    match result {
        Ok(u) if u.phone_pending.is_some() => {
            Ok(s.redirect_with("/account/contacts/phone", "phone_pending"))
        }
        Ok(u) if u.email_pending.is_some() => Ok(s.redirect_with("/account", "email_pending")),
        Ok(u) if u.changed.is_empty() => Ok(s.redirect_with("/account", "nothing_changed")),
        Ok(_) => Ok(s.redirect_with("/account", "contacts_saved")),
        Err(ContactsError::Invalid(errors)) => {
            render(s, &holder, &input, &errors.into(), Vec::new(), None).await
        }
        Err(refused) => {
            let notice = refused.words(lang);
            render(
                s,
                &holder,
                &input,
                &FieldMessages::new(),
                vec![notice],
                None,
            )
            .await
        }
    }
}

#[derive(serde::Deserialize)]
struct ReauthForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

async fn reauth(ctx: Ctx, Form(f): Form<ReauthForm>) -> Page {
    let s = super::signed_post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let ip = s.ctx.ip.clone();
    let outcome = s
        .service()
        .reauthenticate(&s.token, &f.password, Some(&ip))
        .await
        .outcome()?;
    match outcome {
        Ok(()) => Ok(s.redirect_with("/account/contacts", "reauthenticated")),
        Err(refused) => {
            let holder = s.holder().await?;
            let input = input_of(&holder);
            render(
                s,
                &holder,
                &input,
                &FieldMessages::new(),
                Vec::new(),
                Some(refused.words(lang)),
            )
            .await
        }
    }
}

fn phone_page(mut ctx: Ctx, error: Option<String>) -> Response {
    let lang = ctx.lang;
    let mut field = crate::form::Field::new(
        "code",
        L("Codice ricevuto per SMS", "Code received by SMS"),
        "text",
        lang,
    )
    .autocomplete("one-time-code");
    field.error = error;
    let failed = field.error.is_some();
    let sets = vec![Fieldset::new(
        L("Nuovo cellulare", "New mobile phone"),
        lang,
        vec![field],
    )];
    let summary = error_summary(&sets);
    let c = ctx.chrome(true);
    let page = crate::web::SimpleForm {
        c,
        title: L("Conferma il nuovo cellulare", "Confirm the new mobile phone").get(lang).to_owned(),
        intro: L(
            "Hai un'identità digitale: ti abbiamo inviato un codice per SMS al nuovo numero, e il cambio avrà effetto quando lo inserirai qui. Il vecchio numero sarà avvisato.",
            "You hold a digital identity: we sent a code by SMS to the new number, and the change takes effect once you enter it here. The old number will be told.",
        )
        .get(lang)
        .to_owned(),
        action: "/account/contacts/phone",
        submit: L("Conferma", "Confirm").get(lang).to_owned(),
        sets,
        summary,
        notices: Vec::new(),
        after: vec![("/account/contacts".into(), L("Torna ai contatti", "Back to contacts").get(lang).into())],
    };
    ctx.form_page(&page, failed)
}

async fn phone_form(ctx: Ctx) -> Page {
    Ok(phone_page(Signed::from(ctx).await?.ctx, None))
}

#[derive(serde::Deserialize)]
struct PhoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn phone(ctx: Ctx, Form(f): Form<PhoneForm>) -> Page {
    let (s, _) = super::action(ctx, &f.csrf).await?;
    let lang = s.lang();
    match s
        .service()
        .confirm_phone_change(s.session.holder_id, &f.code)
        .await?
    {
        Some(_) => Ok(s.redirect_with("/account", "contacts_saved")),
        None => Ok(phone_page(
            s.ctx,
            Some(identity_words::PHONE_CODE_REFUSED.text(lang)),
        )),
    }
}
