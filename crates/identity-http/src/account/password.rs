//! Changing the password of the login in use: the current one, the new one twice,
//! under the whole policy. An expired password leads here from every page.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::get;
use identity_core::password_policy::PasswordAge;
use identity_core::{Lang, LoginId};
use identity_service::forms::FieldErrors;
use identity_service::usecases::password::ChangePasswordError;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, Fieldset, attach_errors, error_summary};
use crate::i18n::L;
use crate::register_fields::new_password_fields;
use crate::web::{Chrome, Ctx};

/// The page's path (an expired password is sent here).
pub(crate) const PATH: &str = "/account/password";

pub(super) fn router() -> Router<AppState> {
    Router::new().route(PATH, get(show).post(change))
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    intro: String,
    expired: Option<&'static str>,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

async fn render(mut s: Signed, errors: &FieldErrors, notices: Vec<String>) -> Response {
    let lang = s.lang();
    let service = s.ctx.state.service.clone();
    let holder = match s.holder().await {
        Ok(h) => h,
        Err(e) => return s.ctx.failure(&e),
    };
    let expired = match service.password_age(s.session.login).await {
        Ok(PasswordAge::Expired) => Some(L(
            "La password di questa login è scaduta (dura 180 giorni): scegline una nuova per continuare.",
            "This login's password has expired (it lasts 180 days): choose a new one to go on.",
        )
        .get(lang)),
        Ok(_) => None,
        Err(e) => return s.ctx.failure(&e),
    };
    let login = LoginId::new(s.session.login, &service.config().login_domain);
    let mut sets = vec![Fieldset::new(
        L("Cambia password", "Change password"),
        lang,
        vec![
            Field::new(
                "current_password",
                L("Password attuale", "Current password"),
                "password",
                lang,
            )
            .autocomplete("current-password"),
        ]
        .into_iter()
        .chain(new_password_fields(&service.config().password_policy, lang))
        .collect(),
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, Section::Password, &holder);
    let c = s.ctx.chrome(true);
    let page = PasswordPage {
        c,
        f,
        title: L("Cambia password", "Change password").get(lang),
        intro: match lang {
            Lang::It => format!(
                "Cambia la password della login {login}. Dopo il cambio dovrai accedere di nuovo; le altre sessioni aperte con questa login verranno chiuse."
            ),
            Lang::En => format!(
                "Change the password of login {login}. After the change you sign in again; other sessions open with this login end."
            ),
        },
        expired,
        submit: L("Cambia password", "Change password").get(lang),
        sets,
        summary,
        notices,
    };
    s.ctx.form_page(&page, failed)
}

async fn show(ctx: Ctx) -> Response {
    match Signed::from(ctx).await {
        Ok(s) => render(s, &FieldErrors::new(), Vec::new()).await,
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn change(ctx: Ctx, Form(f): Form<PasswordForm>) -> Response {
    let s = match super::signed_post(ctx, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match s
        .ctx
        .state
        .service
        .customer_area_may_change_password(s.session.holder_id, s.session.login)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            let msg = L(
                "Questa login è lo username della tua identità digitale, che usa credenziali di livello 2 o 3: cambia la password dal Selfcare, dopo l'accesso con il secondo fattore.",
                "This login is your digital identity's username, which uses level 2 or 3 credentials: change the password from the Selfcare, after signing in with the second factor.",
            )
            .get(s.lang())
            .to_owned();
            return render(s, &FieldErrors::new(), vec![msg]).await;
        }
        Err(e) => return s.ctx.failure(&e),
    }
    let ip = s.ctx.ip.clone();
    let result = s
        .ctx
        .state
        .service
        .change_password(
            s.session.login,
            &f.current_password,
            &f.password,
            &f.password_confirm,
            Some(&ip),
        )
        .await;
    match result {
        Ok(()) => {
            s.signed_out_page(
                L("Password cambiata", "Password changed"),
                L(
                    "La password è cambiata e ti abbiamo avvisato per email. Accedi di nuovo con la nuova password.",
                    "The password has changed and we told you by email. Sign in again with the new password.",
                ),
                ("/account/sign-in", L("Accedi", "Sign in")),
            )
        }
        Err(ChangePasswordError::Invalid(errors)) => render(s, &errors, Vec::new()).await,
        Err(ChangePasswordError::WrongPassword) => {
            let mut errors = FieldErrors::new();
            errors.add("current_password", ChangePasswordError::WrongPassword);
            render(s, &errors, Vec::new()).await
        }
        Err(e) => s.ctx.failure(&e),
    }
}
