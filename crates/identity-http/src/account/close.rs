//! Closing the whole account, confirmed with the password of the login in use.
//! Refused while a digital identity is not revoked or an order is open.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::get;
use identity_core::LoginId;
use identity_core::identity::Actor;
use identity_service::Outcome as _;
use identity_words::Words;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, Fieldset};
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/account/close", get(show).post(close))
}

#[derive(Template)]
#[template(path = "account_confirm.html")]
struct ClosePage {
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

async fn render(mut s: Signed, error: Option<String>, notice: Option<String>) -> Page {
    let lang = s.lang();
    let holder = s.holder().await?;
    let mut password = Field::new(
        "password",
        L(
            "Password della login in uso",
            "Password of the login in use",
        ),
        "password",
        lang,
    )
    .autocomplete("current-password");
    password.error = error;
    let failed = password.error.is_some() || notice.is_some();
    let f = Frame::new(&mut s, Section::Close, &holder);
    let c = s.ctx.chrome(true);
    let page = ClosePage {
        c,
        f,
        title: L("Chiudi l'account", "Close the account").get(lang),
        text: L(
            "Chiudendo l'account tutte le tue login smettono di funzionare e i tuoi dati personali vengono cancellati, tranne quelli che la legge ci obbliga a conservare (registro delle operazioni, dati del riconoscimento, codice fiscale e partita IVA a cui si riferiscono). Non si può annullare. Non è possibile finché hai un'identità digitale non revocata o un ordine in lavorazione. Per cancellare una sola login usa la pagina delle login.",
            "Closing the account stops all your logins and erases your personal data, except what the law requires us to keep (the log of operations, identity-proofing records, the tax code and VAT number they refer to). It cannot be undone. It is not possible while you hold a digital identity that is not revoked or have an order in progress. To delete a single login, use the logins page.",
        )
        .get(lang)
        .to_owned(),
        action: "/account/close".to_owned(),
        confirm: L("Chiudi definitivamente l'account", "Close the account for good").get(lang),
        cancel: L("Annulla", "Cancel").get(lang),
        cancel_href: "/account",
        extra: vec![Fieldset::new(L("Conferma", "Confirmation"), lang, vec![password])],
        notices: notice.into_iter().collect(),
        summary: Vec::new(),
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, None, None).await
}

#[derive(serde::Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

async fn close(ctx: Ctx, Form(f): Form<CloseForm>) -> Page {
    let (s, _) = super::action(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    let id = LoginId::new(s.session.login, &service.config().login_domain);
    let ip = s.ctx.ip.clone();
    match service
        .sign_in_password(&id, &f.password, Some(&ip))
        .await
        .outcome()?
    {
        Ok(signed) if signed.holder_id == s.session.holder_id => {}
        Ok(_) | Err(_) => {
            let msg = L("Password non corretta.", "Incorrect password.").text(lang);
            return render(s, Some(msg), None).await;
        }
    }
    match service
        .close_account(s.session.holder_id, &Actor::Holder(s.session.holder_id))
        .await
        .outcome()?
    {
        Ok(()) => Ok(s.signed_out_page(
            L("Account chiuso", "Account closed"),
            L(
                "Il tuo account è stato chiuso. Ti abbiamo inviato una conferma per email.",
                "Your account is closed. We sent you a confirmation by email.",
            ),
            ("/", L("Torna alla home", "Back to the home page")),
        )),
        Err(refused) => render(s, None, Some(refused.words(lang))).await,
    }
}
