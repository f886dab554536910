//! The logins of the holder: the list, a new login ("Crea nuova login": new
//! password twice, then a confirmation page with the new id), disabling and
//! deleting extra logins (never the last active one).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::routing::{get, post};
use axum_extra::extract::cookie::SameSite;
use identity_core::identity::Actor;
use identity_core::{LoginId, LoginNumber, LoginStatus};
use identity_service::Outcome as _;
use identity_service::usecases::new_login::CreateLoginError;
use identity_words::Words;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::new_password_fields;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page, cookie};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/logins", get(list).post(create))
        .route("/account/logins/created", get(created))
        .route("/account/logins/{number}/disable", post(disable))
        .route(
            "/account/logins/{number}/delete",
            get(confirm_delete).post(delete),
        )
}

/// Carries the new login id to the confirmation page.
const CREATED_COOKIE: &str = "new_login";

struct LoginRow {
    id: String,
    number: u64,
    status: &'static str,
    active: bool,
    created: String,
    current: bool,
    removable: bool,
}

#[derive(Template)]
#[template(path = "account_logins.html")]
struct LoginsPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    intro: &'static str,
    rows: Vec<LoginRow>,
    h_login: &'static str,
    h_status: &'static str,
    h_created: &'static str,
    h_actions: &'static str,
    this_session: &'static str,
    disable: &'static str,
    delete: &'static str,
    new_title: &'static str,
    new_intro: &'static str,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

async fn render(mut s: Signed, errors: &FieldMessages, notices: Vec<String>) -> Page {
    let lang = s.lang();
    let service = s.service().clone();
    let overview = service.holder_overview(s.session.holder_id).await?;
    let domain = service.config().login_domain.clone();
    let active = overview.logins.iter().filter(|l| l.is_active()).count();
    let rows = overview
        .logins
        .iter()
        .filter(|l| l.status() != LoginStatus::Deleted)
        .map(|l| LoginRow {
            id: LoginId::new(l.number(), &domain).to_string(),
            number: l.number().get(),
            status: if l.is_active() {
                L("attiva", "active").get(lang)
            } else {
                L("disattivata", "disabled").get(lang)
            },
            active: l.is_active(),
            created: rome_time(l.created_at()),
            current: l.number() == s.session.login,
            removable: !l.is_active() || active > 1,
        })
        .collect();
    let mut sets = vec![Fieldset::new(
        L("Password della nuova login", "Password of the new login"),
        lang,
        new_password_fields(&service.config().password_policy, lang),
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, Section::Logins, &overview.holder);
    let c = s.ctx.chrome(true);
    let page = LoginsPage {
        c,
        f,
        title: L("Le tue login", "Your logins").get(lang),
        intro: L(
            "Tutte le login qui sotto condividono gli stessi dati intestatario: una modifica fatta con una vale per tutte.",
            "All the logins below share the same holder data: a change made through one applies to all.",
        )
        .get(lang),
        rows,
        h_login: L("Login", "Login id").get(lang),
        h_status: L("Stato", "Status").get(lang),
        h_created: L("Creata il", "Created").get(lang),
        h_actions: L("Azioni", "Actions").get(lang),
        this_session: L("(in uso ora)", "(in use now)").get(lang),
        disable: L("Disattiva", "Disable").get(lang),
        delete: L("Cancella", "Delete").get(lang),
        new_title: L("Crea nuova login", "Create a new login").get(lang),
        new_intro: L(
            "Scegli la password della nuova login: il numero di login sarà generato e inviato alla tua email di riferimento.",
            "Choose the new login's password: the login number is generated and sent to your reference email.",
        )
        .get(lang),
        submit: L("Crea nuova login", "Create new login").get(lang),
        sets,
        summary,
        notices,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn list(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, &FieldMessages::new(), Vec::new()).await
}

#[derive(serde::Deserialize)]
struct NewLoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn create(ctx: Ctx, Form(f): Form<NewLoginForm>) -> Page {
    let (mut s, _) = super::action(ctx, &f.csrf).await?;
    let lang = s.lang();
    let actor = Actor::Holder(s.session.holder_id);
    let created = s
        .service()
        .create_login(
            s.session.holder_id,
            &f.password,
            &f.password_confirm,
            &actor,
        )
        .await
        .outcome()?;
    match created {
        Ok(id) => {
            let secure = s.ctx.state.secure();
            s.ctx.jar = std::mem::take(&mut s.ctx.jar).add(cookie(
                CREATED_COOKIE,
                id.to_string(),
                secure,
                SameSite::Strict,
            ));
            Ok(s.ctx
                .respond(crate::web::see_other("/account/logins/created")))
        }
        Err(CreateLoginError::Invalid(errors)) => render(s, &errors.into(), Vec::new()).await,
        Err(refused) => render(s, &FieldMessages::new(), vec![refused.words(lang)]).await,
    }
}

#[derive(Template)]
#[template(path = "account_login_created.html")]
struct CreatedPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    label: &'static str,
    login_id: String,
    text: &'static str,
    ok: &'static str,
}

async fn created(ctx: Ctx) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let domain = s.service().config().login_domain.clone();
    let Some(id) = s
        .ctx
        .jar
        .get(CREATED_COOKIE)
        .and_then(|c| LoginId::parse(c.value(), &domain).ok())
    else {
        return Ok(crate::web::see_other("/account/logins"));
    };
    let secure = s.ctx.state.secure();
    s.ctx.jar = std::mem::take(&mut s.ctx.jar).remove(cookie(
        CREATED_COOKIE,
        String::new(),
        secure,
        SameSite::Strict,
    ));
    let holder = s.holder().await?;
    let f = Frame::new(&mut s, Section::Logins, &holder);
    let c = s.ctx.chrome(true);
    let page = CreatedPage {
        c,
        f,
        title: L("Nuova login creata", "New login created").get(lang),
        label: L("La nuova login è", "The new login id is").get(lang),
        login_id: id.to_string(),
        text: L(
            "L'abbiamo inviata anche alla tua email di riferimento. Usala con la password che hai appena scelto.",
            "We also sent it to your reference email. Use it with the password you just chose.",
        )
        .get(lang),
        ok: L("OK", "OK").get(lang),
    };
    Ok(s.ctx.page(&page))
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn parse_number(n: &str) -> Option<LoginNumber> {
    n.parse::<u64>().ok().and_then(LoginNumber::new)
}

async fn change(ctx: Ctx, number: &str, csrf: &str, delete: bool) -> Page {
    let (s, _) = super::action(ctx, csrf).await?;
    let lang = s.lang();
    let Some(number) = parse_number(number) else {
        return Ok(crate::web::see_other("/account/logins"));
    };
    let actor = Actor::Holder(s.session.holder_id);
    let service = s.service().clone();
    let result = if delete {
        service.delete_login(number, &actor).await
    } else {
        service.disable_login(number, &actor).await
    };
    match result.outcome()? {
        // Disabling or deleting the login of this very session ends it too.
        Ok(()) if number == s.session.login => Ok(crate::web::see_other("/account/sign-in")),
        Ok(()) => Ok(s.redirect_with(
            "/account/logins",
            if delete {
                "login_deleted"
            } else {
                "login_disabled"
            },
        )),
        Err(refused) => render(s, &FieldMessages::new(), vec![refused.words(lang)]).await,
    }
}

async fn disable(ctx: Ctx, Path(number): Path<String>, Form(f): Form<CsrfForm>) -> Page {
    change(ctx, &number, &f.csrf, false).await
}

async fn delete(ctx: Ctx, Path(number): Path<String>, Form(f): Form<CsrfForm>) -> Page {
    change(ctx, &number, &f.csrf, true).await
}

#[derive(Template)]
#[template(path = "account_confirm.html")]
struct ConfirmPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    text: String,
    action: String,
    confirm: &'static str,
    cancel: &'static str,
    cancel_href: &'static str,
    extra: Vec<Fieldset>,
    notices: Vec<String>,
    summary: Vec<(String, String)>,
}

async fn confirm_delete(ctx: Ctx, Path(number): Path<String>) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let Some(n) = parse_number(&number) else {
        return Ok(crate::web::see_other("/account/logins"));
    };
    let holder = s.holder().await?;
    let id = LoginId::new(n, &s.service().config().login_domain);
    let f = Frame::new(&mut s, Section::Logins, &holder);
    let c = s.ctx.chrome(true);
    let page = ConfirmPage {
        c,
        f,
        title: L("Cancella login", "Delete login").get(lang),
        text: L(
            format!(
                "Vuoi cancellare la login {id}? Non potrà più essere usata e il suo numero non sarà mai riassegnato. I tuoi dati e le altre login restano."
            ),
            format!(
                "Delete the login {id}? It can no longer be used and its number is never handed out again. Your data and your other logins stay."
            ),
        )
        .get(lang),
        action: format!("/account/logins/{}/delete", n.get()),
        confirm: L("Sì, cancella la login", "Yes, delete the login").get(lang),
        cancel: L("Annulla", "Cancel").get(lang),
        cancel_href: "/account/logins",
        extra: Vec::new(),
        notices: Vec::new(),
        summary: Vec::new(),
    };
    Ok(s.ctx.page(&page))
}
