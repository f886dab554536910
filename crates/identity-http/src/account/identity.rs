//! Requesting a digital identity from the customer area: choose which login is
//! its username, confirm the mobile phone with a code sent by SMS; the identity
//! is then pending until an operator verifies who the holder is. Once requested,
//! this page shows its state and leads to the selfcare.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use identity_core::i18n::Localized;
use identity_core::{Holder, Lang, LoginId, LoginNumber};
use identity_service::forms::FieldErrors;
use identity_service::usecases::identity::IdentityError;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, Fieldset, attach_errors, error_summary};
use crate::i18n::L;
use crate::web::{Chrome, Ctx};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/identity", get(show).post(request))
        .route("/account/identity/send", post(send))
}

#[derive(Template)]
#[template(path = "account_identity.html")]
struct IdentityPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    paragraphs: Vec<String>,
    selfcare: Option<&'static str>,
    /// (action, submit)
    form: Option<(&'static str, &'static str)>,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

/// `code_step`: the username was chosen and the SMS sent; ask for the code.
async fn render(
    mut s: Signed,
    holder: &Holder,
    username: &str,
    code_step: bool,
    errors: &FieldErrors,
    notices: Vec<String>,
) -> Response {
    let lang = s.lang();
    let service = s.ctx.state.service.clone();
    let domain = service.config().login_domain.clone();
    let overview = match service.holder_overview(s.session.holder_id).await {
        Ok(o) => o,
        Err(e) => return s.ctx.failure(&e),
    };
    let live = overview.identities.iter().find(|i| !i.state().is_revoked());
    let mut paragraphs = Vec::new();
    let mut form = None;
    let mut sets = Vec::new();
    let mut selfcare = None;
    if let Some(i) = live {
        let user = LoginId::new(i.username(), &domain);
        paragraphs.push(match (i.state().code(), lang) {
            ("pending", Lang::It) => format!("Hai richiesto l'identità digitale con username {user}: è in attesa del riconoscimento da parte di un operatore."),
            ("pending", Lang::En) => format!("You requested the digital identity with username {user}: it waits for an operator to verify who you are."),
            (_, Lang::It) => format!("La tua identità digitale ha username {user}. La gestisci dal Selfcare."),
            (_, Lang::En) => format!("Your digital identity has username {user}. You manage it from the Selfcare."),
        });
        selfcare = Some(L("Vai al Selfcare", "Go to the Selfcare").get(lang));
    } else if holder.person().is_none() {
        paragraphs.push(IdentityError::NotAPerson.message(lang));
    } else {
        let options: Vec<(String, String)> = overview
            .logins
            .iter()
            .filter(|l| l.is_active())
            .map(|l| {
                let id = LoginId::new(l.number(), &domain).to_string();
                (id.clone(), id)
            })
            .collect();
        let chosen = if username.is_empty() {
            options.first().map(|o| o.0.clone()).unwrap_or_default()
        } else {
            username.to_owned()
        };
        let mut fields = vec![Field::new("username", L("Username dell'identità", "Identity username"), "select", lang)
            .value(&chosen)
            .hint(L(
                "Solo questa login potrà accedere al Selfcare e ai servizi online con l'identità digitale.",
                "Only this login will sign in to the Selfcare and to online services with the digital identity.",
            ).get(lang))
            .options(options)];
        if code_step {
            fields.push(
                Field::new(
                    "code",
                    L("Codice ricevuto per SMS", "Code received by SMS"),
                    "text",
                    lang,
                )
                .hint(match lang {
                    Lang::It => format!(
                        "Lo abbiamo inviato al cellulare {}. Vale 15 minuti.",
                        holder.contacts().phone
                    ),
                    Lang::En => format!(
                        "We sent it to the mobile {}. It lasts 15 minutes.",
                        holder.contacts().phone
                    ),
                })
                .autocomplete("one-time-code"),
            );
            form = Some((
                "/account/identity",
                L("Richiedi l'identità", "Request the identity").get(lang),
            ));
        } else {
            form = Some((
                "/account/identity/send",
                L("Inviami il codice per SMS", "Send me the code by SMS").get(lang),
            ));
        }
        paragraphs.push(L(
            "Con l'identità digitale accedi ai servizi online della pubblica amministrazione e dei privati. Scegli la login che ne sarà lo username; confermeremo il tuo cellulare con un codice via SMS. Poi un operatore verificherà la tua identità con un documento.",
            "With the digital identity you sign in to online services of public administrations and companies. Choose the login that will be its username; we confirm your mobile phone with a code by SMS. Then an operator verifies who you are with a document.",
        ).get(lang).to_owned());
        sets.push(Fieldset::new(L("Richiesta", "Request"), lang, fields));
    }
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, Section::Identity, holder);
    let c = s.ctx.chrome(true);
    let page = IdentityPage {
        c,
        f,
        title: Section::Identity.title().get(lang),
        paragraphs,
        selfcare,
        form,
        sets,
        summary,
        notices,
    };
    s.ctx.form_page(&page, failed)
}

async fn show(ctx: Ctx) -> Response {
    let s = match Signed::from(ctx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let holder = match s.holder().await {
        Ok(h) => h,
        Err(e) => return s.ctx.failure(&e),
    };
    render(s, &holder, "", false, &FieldErrors::new(), Vec::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RequestForm {
    csrf: String,
    username: String,
    code: String,
}

fn username_of(s: &Signed, typed: &str) -> Option<LoginNumber> {
    LoginId::parse(typed, &s.ctx.state.service.config().login_domain)
        .ok()
        .map(|id| id.number())
}

async fn refused(
    s: Signed,
    holder: &Holder,
    f: &RequestForm,
    code_step: bool,
    e: IdentityError,
) -> Response {
    let lang = s.lang();
    if let IdentityError::Store(detail) = e {
        return s.ctx.failure(&detail);
    }
    let mut errors = FieldErrors::new();
    match e {
        IdentityError::NotTheHoldersLogin => errors.add("username", e),
        other => {
            return render(
                s,
                holder,
                &f.username,
                code_step,
                &errors,
                vec![other.message(lang)],
            )
            .await;
        }
    }
    render(s, holder, &f.username, code_step, &errors, Vec::new()).await
}

async fn send(ctx: Ctx, Form(f): Form<RequestForm>) -> Response {
    let (s, holder) = match super::action(ctx, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(username) = username_of(&s, &f.username) else {
        return refused(s, &holder, &f, false, IdentityError::NotTheHoldersLogin).await;
    };
    match s
        .ctx
        .state
        .service
        .send_identity_phone_code(s.session.holder_id, username)
        .await
    {
        Ok(()) => {
            render(
                s,
                &holder,
                &f.username,
                true,
                &FieldErrors::new(),
                Vec::new(),
            )
            .await
        }
        Err(e) => refused(s, &holder, &f, false, e).await,
    }
}

async fn request(ctx: Ctx, Form(f): Form<RequestForm>) -> Response {
    let (s, holder) = match super::action(ctx, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(username) = username_of(&s, &f.username) else {
        return refused(s, &holder, &f, true, IdentityError::NotTheHoldersLogin).await;
    };
    match s
        .ctx
        .state
        .service
        .request_identity_with_phone_code(s.session.holder_id, username, &f.code)
        .await
    {
        Ok(Some(_)) => s.redirect_with("/account/identity", "identity_requested"),
        Ok(None) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "code",
                identity_service::forms::Message::new(
                    "Codice errato o scaduto: controlla l'SMS o chiedine uno nuovo.",
                    "Wrong or expired code: check the SMS or ask for a new one.",
                ),
            );
            render(s, &holder, &f.username, true, &errors, Vec::new()).await
        }
        Err(e) => refused(s, &holder, &f, true, e).await,
    }
}
