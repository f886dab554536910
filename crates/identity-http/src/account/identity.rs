//! Requesting a digital identity from the customer area: choose which login is
//! its username, confirm the mobile phone with a code sent by SMS; the identity
//! is then pending until an operator verifies who the holder is. Once requested,
//! this page shows its state and leads to the selfcare.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::{get, post};
use identity_core::{Holder, LoginId, LoginNumber};
use identity_service::Outcome as _;
use identity_service::usecases::identity::IdentityError;
use identity_words::Words;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

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
    /// In the code step, the form that sends a new SMS: (username, button).
    resend: Option<(String, &'static str)>,
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
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Page {
    let lang = s.lang();
    let service = s.service().clone();
    let domain = service.config().login_domain.clone();
    let overview = service.holder_overview(s.session.holder_id).await?;
    let live = overview.identities.iter().find(|i| !i.state().is_revoked());
    let mut paragraphs = Vec::new();
    let mut form = None;
    let mut resend = None;
    let mut sets = Vec::new();
    let mut selfcare = None;
    if let Some(i) = live {
        let user = LoginId::new(i.username(), &domain);
        paragraphs.push(
            if i.state().code() == "pending" {
                L(
                    format!("Hai richiesto l'identità digitale con username {user}: è in attesa del riconoscimento da parte di un operatore."),
                    format!("You requested the digital identity with username {user}: it waits for an operator to verify who you are."),
                )
            } else {
                L(
                    format!("La tua identità digitale ha username {user}. La gestisci dal Selfcare."),
                    format!("Your digital identity has username {user}. You manage it from the Selfcare."),
                )
            }
            .get(lang),
        );
        selfcare = Some(L("Vai al Selfcare", "Go to the Selfcare").get(lang));
    } else if holder.person().is_none() {
        paragraphs.push(IdentityError::NotAPerson.words(lang));
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
                .hint(
                    L(
                        format!(
                            "Lo abbiamo inviato al cellulare {}. Vale 15 minuti.",
                            holder.contacts().phone
                        ),
                        format!(
                            "We sent it to the mobile {}. It lasts 15 minutes.",
                            holder.contacts().phone
                        ),
                    )
                    .get(lang),
                )
                .autocomplete("one-time-code"),
            );
            form = Some((
                "/account/identity",
                L("Richiedi l'identità", "Request the identity").get(lang),
            ));
            resend = Some((
                chosen.clone(),
                L("Inviami un nuovo codice", "Send me a new code").get(lang),
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
        resend,
        sets,
        summary,
        notices,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    let s = Signed::from(ctx).await?;
    let holder = s.holder().await?;
    // An SMS sent earlier still waits: ask for its code, not for a new SMS.
    let waiting = s
        .service()
        .identity_phone_code_waiting(s.session.holder_id)
        .await?;
    let username = waiting.map_or_else(String::new, |n| {
        LoginId::new(n, &s.service().config().login_domain).to_string()
    });
    let code_step = waiting.is_some();
    render(
        s,
        &holder,
        &username,
        code_step,
        &FieldMessages::new(),
        Vec::new(),
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RequestForm {
    csrf: String,
    username: String,
    code: String,
}

fn username_of(s: &Signed, typed: &str) -> Option<LoginNumber> {
    LoginId::parse(typed, &s.service().config().login_domain)
        .ok()
        .map(|id| id.number())
}

/// The page again with what the request was refused for: the username beside
/// its field, anything else on top.
async fn refused(
    s: Signed,
    holder: &Holder,
    f: &RequestForm,
    code_step: bool,
    e: IdentityError,
) -> Page {
    let lang = s.lang();
    let mut errors = FieldMessages::new();
    let mut notices = Vec::new();
    match e {
        IdentityError::NotTheHoldersLogin => errors.add("username", e),
        other => notices.push(other.words(lang)),
    }
    render(s, holder, &f.username, code_step, &errors, notices).await
}

async fn send(ctx: Ctx, Form(f): Form<RequestForm>) -> Page {
    let (s, holder) = super::action(ctx, &f.csrf).await?;
    let Some(username) = username_of(&s, &f.username) else {
        return refused(s, &holder, &f, false, IdentityError::NotTheHoldersLogin).await;
    };
    let sent = s
        .service()
        .send_identity_phone_code(s.session.holder_id, username)
        .await
        .outcome()?;
    match sent {
        Ok(()) => {
            render(
                s,
                &holder,
                &f.username,
                true,
                &FieldMessages::new(),
                Vec::new(),
            )
            .await
        }
        Err(e) => refused(s, &holder, &f, false, e).await,
    }
}

async fn request(ctx: Ctx, Form(f): Form<RequestForm>) -> Page {
    let (s, holder) = super::action(ctx, &f.csrf).await?;
    let Some(username) = username_of(&s, &f.username) else {
        return refused(s, &holder, &f, true, IdentityError::NotTheHoldersLogin).await;
    };
    let requested = s
        .service()
        .request_identity_with_phone_code(s.session.holder_id, username, &f.code)
        .await
        .outcome()?;
    match requested {
        Ok(Some(_)) => Ok(s.redirect_with("/account/identity", "identity_requested")),
        Ok(None) => {
            let mut errors = FieldMessages::new();
            errors.add(
                "code",
                L(
                    "Codice errato o scaduto: controlla l'SMS o chiedine uno nuovo.",
                    "Wrong or expired code: check the SMS or ask for a new one.",
                ),
            );
            render(s, &holder, &f.username, true, &errors, Vec::new()).await
        }
        Err(e) => refused(s, &holder, &f, true, e).await,
    }
}
