//! Changing the password of the login in use: the current one, the new one twice,
//! under the whole policy. An expired password leads here from every page.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::get;
use identity_core::LoginId;
use identity_core::password_policy::PasswordAge;
use identity_service::Outcome as _;
use identity_service::usecases::password::ChangePasswordError;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::new_password_fields;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

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

async fn render(mut s: Signed, errors: &FieldMessages, notices: Vec<String>) -> Page {
    let lang = s.lang();
    let service = s.service().clone();
    let holder = s.holder().await?;
    let expired = (service.password_age(s.session.login).await? == PasswordAge::Expired).then(|| {
        L(
            "La password di questa login è scaduta (dura 180 giorni): scegline una nuova per continuare.",
            "This login's password has expired (it lasts 180 days): choose a new one to go on.",
        )
        .get(lang)
    });
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
        intro: L(format!(
                "Cambia la password della login {login}. Dopo il cambio dovrai accedere di nuovo; le altre sessioni aperte con questa login verranno chiuse."
            ), format!(
                "Change the password of login {login}. After the change you sign in again; other sessions open with this login end."
            )).get(lang),
        expired,
        submit: L("Cambia password", "Change password").get(lang),
        sets,
        summary,
        notices,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, &FieldMessages::new(), Vec::new()).await
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

async fn change(ctx: Ctx, Form(f): Form<PasswordForm>) -> Page {
    let s = super::signed_post(ctx, &f.csrf).await?;
    let here = s
        .service()
        .customer_area_may_change_password(s.session.holder_id, s.session.login)
        .await?;
    if !here {
        let msg = L(
            "Questa login è lo username della tua identità digitale, che usa credenziali di livello 2 o 3: cambia la password dal Selfcare, dopo l'accesso con il secondo fattore.",
            "This login is your digital identity's username, which uses level 2 or 3 credentials: change the password from the Selfcare, after signing in with the second factor.",
        )
        .text(s.lang());
        return render(s, &FieldMessages::new(), vec![msg]).await;
    }
    let ip = s.ctx.ip.clone();
    let changed = s
        .service()
        .change_password(
            s.session.login,
            &f.current_password,
            &f.password,
            &f.password_confirm,
            Some(&ip),
        )
        .await
        .outcome()?;
    match changed {
        Ok(()) => Ok(s.signed_out_page(
            L("Password cambiata", "Password changed"),
            L(
                "La password è cambiata e ti abbiamo avvisato per email. Accedi di nuovo con la nuova password.",
                "The password has changed and we told you by email. Sign in again with the new password.",
            ),
            ("/account/sign-in", L("Accedi", "Sign in")),
        )),
        Err(ChangePasswordError::Invalid(errors)) => render(s, &errors.into(), Vec::new()).await,
        Err(refused) => {
            let mut errors = FieldMessages::new();
            errors.add("current_password", refused);
            render(s, &errors, Vec::new()).await
        }
    }
}
