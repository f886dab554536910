//! The registration form ("Modulo di Registrazione"): the subject kind first (a
//! page of its own, so the form works without JavaScript), then the fields that
//! kind needs, then the success page with the new login id.

use identity_words::{Label as _, Words as _};
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::cookie::SameSite;
use identity_core::consent::ConsentKind;
use identity_core::{Lang, LoginId, SubjectKind};
use identity_service::forms::FieldErrors;
use identity_service::usecases::register_input::{
    RegisterInputError, RegistrationInput, consent_field,
};

use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::fieldsets;
use crate::web::{Chrome, Ctx, Page, cookie, see_other};
use identity_words::L;

/// Cookie carrying the new login id from the form's POST to the success page.
const REGISTERED_COOKIE: &str = "registered";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(form).post(submit))
        .route("/register/done", get(done))
}

#[derive(Template)]
#[template(path = "register_kind.html")]
struct KindPage {
    c: Chrome,
    title: &'static str,
    intro: &'static str,
    legend: &'static str,
    next: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    c: Chrome,
    title: &'static str,
    kind_label: &'static str,
    kind_name: &'static str,
    kind_code: &'static str,
    change_kind: &'static str,
    intro: &'static str,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

#[derive(Template)]
#[template(path = "register_done.html")]
struct DonePage {
    c: Chrome,
    title: &'static str,
    login_label: &'static str,
    login_id: String,
    next_steps: &'static str,
    sign_in: &'static str,
}

const TITLE: L = L("Modulo di registrazione", "Registration form");

#[derive(serde::Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

async fn form(mut ctx: Ctx, Query(q): Query<KindQuery>) -> Response {
    let lang = ctx.lang;
    let kind = q.kind.as_deref().and_then(SubjectKind::from_code);
    let Some(kind) = kind else {
        let c = ctx.chrome(false);
        let page = KindPage {
            c,
            title: TITLE.get(lang),
            intro: L(
                "Registrati per ottenere i tuoi codici di autenticazione (una login del tipo 123456@dominio e la password che sceglierai). La registrazione è gratuita e non richiede alcun acquisto.",
                "Register to get your authentication codes (a login id such as 123456@domain and the password you choose). Registration is free and needs no purchase.",
            )
            .get(lang),
            legend: L("Tipologia di soggetto", "Kind of subject").get(lang),
            next: L("Continua", "Continue").get(lang),
            kinds: SubjectKind::ALL
                .iter()
                .map(|k| (k.code(), k.label().get(lang)))
                .collect(),
        };
        return ctx.page(&page);
    };
    let input = RegistrationInput {
        subject_kind: kind.code().to_owned(),
        ..RegistrationInput::default()
    };
    render_form(
        ctx,
        kind,
        &input,
        &HashMap::new(),
        &FieldMessages::new(),
        Vec::new(),
        false,
    )
}

fn render_form(
    mut ctx: Ctx,
    kind: SubjectKind,
    input: &RegistrationInput,
    raw: &HashMap<String, String>,
    errors: &FieldMessages,
    mut notices: Vec<String>,
    offer_confirm: bool,
) -> Response {
    let lang = ctx.lang;
    let policy = ctx.service().config().password_policy.clone();
    let mut sets = fieldsets(kind, input, raw, lang, &policy);
    if offer_confirm || input.confirm_mismatch {
        // Only the tax code's agreement failed: the person may confirm the data.
        sets[0].fields.push(
            Field::new(
                "confirm_mismatch",
                L(
                    "Confermo che i dati sono esattamente quelli del mio tesserino del codice fiscale: chiedo la verifica di un operatore",
                    "I confirm the data is exactly as on my tax code card: I ask an operator to check it",
                ),
                "checkbox",
                lang,
            )
            .checked(input.confirm_mismatch)
            .optional(),
        );
    }
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let c = ctx.chrome(false);
    let page = RegisterPage {
        c,
        title: TITLE.get(lang),
        kind_label: L("Tipologia di soggetto", "Kind of subject").get(lang),
        kind_name: kind.label().get(lang),
        kind_code: kind.code(),
        change_kind: L("Cambia", "Change").get(lang),
        intro: L(
            "Tutti i campi sono obbligatori, salvo quelli indicati come facoltativi.",
            "All fields are required unless marked optional.",
        )
        .get(lang),
        submit: L("Avanti", "Next").get(lang),
        sets,
        summary,
        notices,
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = ctx.page(&page);
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
}

/// The form as posted: every field by name (consents are radio values).
fn input_from(raw: &HashMap<String, String>, lang: Lang) -> RegistrationInput {
    let get = |k: &str| raw.get(k).cloned().unwrap_or_default();
    RegistrationInput {
        subject_kind: get("subject_kind"),
        given_name: get("given_name"),
        family_name: get("family_name"),
        tax_code: get("tax_code"),
        birth_date: get("birth_date"),
        sex: get("sex"),
        birth_place: get("birth_place"),
        birth_province: get("birth_province"),
        company_name: get("company_name"),
        vat_number: get("vat_number"),
        sdi_code: get("sdi_code"),
        invoicing_pec: get("invoicing_pec"),
        street: get("street"),
        postal_code: get("postal_code"),
        municipality: get("municipality"),
        province: get("province"),
        country: get("country"),
        email: get("email"),
        email_confirm: get("email_confirm"),
        phone: get("phone"),
        pec: get("pec"),
        password: get("password"),
        password_confirm: get("password_confirm"),
        privacy_notice: raw.get("privacy_notice").is_some_and(|v| v == "yes"),
        confirm_mismatch: raw.get("confirm_mismatch").is_some_and(|v| v == "yes"),
        consents: ConsentKind::ALL
            .into_iter()
            .map(|k| {
                let v = raw.get(consent_field(k)).map(String::as_str);
                (
                    k,
                    v.and_then(|v| match v {
                        "yes" => Some(true),
                        "no" => Some(false),
                        _ => None,
                    }),
                )
            })
            .collect(),
        lang,
    }
}

async fn submit(ctx: Ctx, Form(raw): Form<HashMap<String, String>>) -> Page {
    if !ctx.csrf_ok(raw.get("csrf").map_or("", String::as_str)) {
        return Ok(ctx.form_expired());
    }
    let lang = ctx.lang;
    let input = input_from(&raw, lang);
    let Some(kind) = input.kind() else {
        return Ok(see_other("/register"));
    };
    let ip = ctx.ip.clone();
    Ok(
        match ctx.service().register_input(&input, Some(&ip)).await {
            Ok(registered) => {
                let secure = ctx.state.secure();
                let mut ctx = ctx;
                ctx.jar = std::mem::take(&mut ctx.jar).add(cookie(
                    REGISTERED_COOKIE,
                    registered.login_id.to_string(),
                    secure,
                    SameSite::Strict,
                ));
                ctx.respond(see_other("/register/done"))
            }
            Err(RegisterInputError::Invalid(errors)) => {
                render_form(ctx, kind, &input, &raw, &errors.into(), Vec::new(), false)
            }
            Err(RegisterInputError::Mismatch(errors)) => {
                let notice = RegisterInputError::Mismatch(FieldErrors::new()).words(lang);
                render_form(ctx, kind, &input, &raw, &errors.into(), vec![notice], true)
            }
            Err(e @ RegisterInputError::RateLimited) => {
                let notice = e.words(lang);
                let mut resp = render_form(
                    ctx,
                    kind,
                    &input,
                    &raw,
                    &FieldMessages::new(),
                    vec![notice],
                    false,
                );
                *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                resp
            }
            Err(RegisterInputError::Infra(e)) => return Err(e.into()),
        },
    )
}

async fn done(mut ctx: Ctx) -> Response {
    let domain = ctx.service().config().login_domain.clone();
    let login = ctx
        .jar
        .get(REGISTERED_COOKIE)
        .and_then(|c| LoginId::parse(c.value(), &domain).ok());
    let Some(login) = login else {
        return see_other("/register");
    };
    let lang = ctx.lang;
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).remove(cookie(
        REGISTERED_COOKIE,
        String::new(),
        secure,
        SameSite::Strict,
    ));
    let c = ctx.chrome(false);
    let page = DonePage {
        c,
        title: L("Registrazione completata", "Registration complete").get(lang),
        login_label: L("La tua login è", "Your login id is").get(lang),
        login_id: login.to_string(),
        next_steps: L(
            "Te l'abbiamo inviata anche per email, insieme al codice per confermare il tuo indirizzo email: apri il link del messaggio (vale 48 ore). Finché l'indirizzo non è confermato potrai solo consultare i tuoi dati. La password è quella che hai scelto: non la inviamo mai per email.",
            "We also sent it by email, with the code that confirms your email address: open the link in the message (valid for 48 hours). Until the address is confirmed you can only view your data. The password is the one you chose: we never send it by email.",
        )
        .get(lang),
        sign_in: L("Accedi all'area clienti", "Sign in to the customer area").get(lang),
    };
    ctx.page(&page)
}
