//! The credentials page: the state of each level, level 1's password change
//! (the whole policy, history included), removing level 2, and the emergency code.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::{get, post};
use identity_core::{CredentialLevel, Lang, LevelState};
use identity_service::Outcome as _;
use identity_service::usecases::password::ChangePasswordError;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_words::Words;

use super::{Frame, Signed, signed_out};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::register_fields::new_password_fields;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/credentials", get(show))
        .route("/selfcare/password", post(change_password))
        .route("/selfcare/credentials/level2/remove", post(remove_level2))
}

/// The level-3 section: the keys and the form that adds one.
struct Keys {
    title: &'static str,
    intro: &'static str,
    /// (id, name, registered and last used)
    list: Vec<(String, String, String)>,
    can_change: bool,
    remove: &'static str,
    name_label: &'static str,
    add: &'static str,
    unsupported: &'static str,
    failed: &'static str,
}

#[derive(Template)]
#[template(path = "selfcare_credentials.html")]
struct CredentialsPage {
    keys: Keys,
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    head: Vec<&'static str>,
    /// (number, name, state label, state code, detail)
    levels: Vec<(u8, &'static str, &'static str, &'static str, String)>,
    enrol: Option<&'static str>,
    remove: Option<(&'static str, &'static str)>,
    emergency_title: &'static str,
    emergency_text: String,
    emergency_link: &'static str,
    password_title: &'static str,
    password_submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
}

/// The state's label, and its code for the page's `data-state`.
fn state_label(state: LevelState, lang: Lang) -> (&'static str, &'static str) {
    let l = match state {
        LevelState::NotActivated => L("Non attivo", "Not active"),
        LevelState::Active => L("Attivo", "Active"),
        LevelState::Blocked => L("Bloccato", "Blocked"),
        LevelState::Revoked => L("Revocato", "Revoked"),
    };
    (l.get(lang), state.code())
}

pub(super) async fn render(mut s: Signed, errors: &FieldMessages, notices: Vec<String>) -> Page {
    let lang = s.lang();
    let creds = s.creds.clone();
    let policy = s.service().config().password_policy.clone();
    let service = s.service().clone();
    // The signed-in session has an identity: a refusal here lists no keys.
    let list = service
        .security_keys_of(&s.session)
        .await
        .outcome()?
        .unwrap_or_default();
    let levels = CredentialLevel::ALL
        .iter()
        .map(|l| {
            let (label, code) = state_label(creds.levels.state(*l), lang);
            let (name, detail) = match l {
                CredentialLevel::L1 => (
                    L("Livello 1 · password", "Level 1 · password"),
                    String::new(),
                ),
                CredentialLevel::L2 => (
                    L(
                        "Livello 2 · app di autenticazione",
                        "Level 2 · authenticator app",
                    ),
                    creds
                        .totp_enrolled_at
                        .map(|at| {
                            format!(
                                "{} {}",
                                L("attivato il", "activated on").get(lang),
                                rome_time(at)
                            )
                        })
                        .unwrap_or_default(),
                ),
                CredentialLevel::L3 => (
                    L("Livello 3 · chiave di sicurezza", "Level 3 · security key"),
                    match (lang, list.len()) {
                        (_, 0) => String::new(),
                        (Lang::It, n) => format!("{n} chiavi registrate"),
                        (Lang::En, n) => format!("{n} keys registered"),
                    },
                ),
            };
            (l.as_u8(), name.get(lang), label, code, detail)
        })
        .collect();
    let l2 = creds.levels.state(CredentialLevel::L2);
    let active = s.identity.state().is_active();
    let keys = Keys {
        title: L("Chiavi di sicurezza (livello 3)", "Security keys (level 3)").get(lang),
        intro: L(
            "Una chiave di sicurezza (per esempio una chiavetta USB FIDO2) o una passkey che resta sul dispositivo, protetta da PIN o impronta. Con una chiave registrata, l'accesso chiede la password e poi la chiave. Per aggiungerne o toglierne serve un accesso recente con il livello più alto.",
            "A security key (for example a FIDO2 USB key) or a passkey that stays on its device, protected by a PIN or fingerprint. With a key registered, signing in asks for the password and then the key. Adding or removing one needs a recent sign-in at your highest level.",
        )
        .get(lang),
        list: list
            .iter()
            .map(|k| {
                let when = match (lang, k.last_used_at) {
                    (Lang::It, Some(u)) => format!("registrata il {}, ultimo uso {}", rome_time(k.created_at), rome_time(u)),
                    (Lang::En, Some(u)) => format!("registered {}, last used {}", rome_time(k.created_at), rome_time(u)),
                    (Lang::It, None) => format!("registrata il {}", rome_time(k.created_at)),
                    (Lang::En, None) => format!("registered {}", rome_time(k.created_at)),
                };
                (k.id.clone(), k.name.clone(), when)
            })
            .collect(),
        can_change: active && s.fresh(),
        remove: L("Rimuovi", "Remove").get(lang),
        name_label: L("Nome della chiave", "Key name").get(lang),
        add: L("Aggiungi una chiave di sicurezza", "Add a security key").get(lang),
        unsupported: L("Questo browser non supporta le chiavi di sicurezza.", "This browser does not support security keys.").get(lang),
        failed: L("La chiave non ha risposto o l'operazione è stata annullata.", "The key did not answer or the operation was cancelled.").get(lang),
    };
    let mut sets = vec![Fieldset::new(
        L("Cambia password", "Change password"),
        lang,
        std::iter::once(
            Field::new(
                "current_password",
                L("Password attuale", "Current password"),
                "password",
                lang,
            )
            .autocomplete("current-password"),
        )
        .chain(new_password_fields(&policy, lang))
        .collect(),
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, "/selfcare/credentials");
    let c = s.ctx.selfcare_chrome(true);
    let page = CredentialsPage {
        keys,
        c,
        f,
        notices,
        title: L("Credenziali", "Credentials").get(lang),
        head: vec![L("Livello", "Level").get(lang), L("Stato", "State").get(lang), L("Dettagli", "Details").get(lang)],
        levels,
        enrol: (active && l2 == LevelState::NotActivated)
            .then(|| L("Attiva il livello 2", "Activate level 2").get(lang)),
        remove: (active && l2 == LevelState::Active).then(|| {
            (
                L(
                    "Disattivare il livello 2 chiude le sessioni aperte con il codice; servirà un accesso recente con il livello 2.",
                    "Removing level 2 ends the sessions opened with the code; it needs a recent level-2 sign-in.",
                )
                .get(lang),
                L("Disattiva il livello 2", "Remove level 2").get(lang),
            )
        }),
        emergency_title: L("Codice di emergenza", "Emergency code").get(lang),
        emergency_text: match creds.emergency_issued_at {
            Some(at) => L(format!("Emesso il {}. Serve per il blocco d'emergenza, il recupero della password e il cambio telefono. È conservato cifrato: non possiamo mostrartelo.", rome_time(at)), format!("Issued on {}. You need it for the emergency block, password recovery and a change of phone. It is kept hashed: we cannot show it to you.", rome_time(at))).get(lang),
            None => L("Ti verrà inviato, in due metà, quando l'identità sarà attivata.", "It is sent to you, in two halves, when the identity is activated.").get(lang).to_owned(),
        },
        emergency_link: L("Hai perso il codice di emergenza? Emettine uno nuovo", "Lost the emergency code? Issue a new one").get(lang),
        password_title: L("Password (livello 1)", "Password (level 1)").get(lang),
        password_submit: L("Cambia password", "Change password").get(lang),
        sets,
        summary,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, &FieldMessages::new(), Vec::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    csrf: String,
    current_password: String,
    password: String,
    password_confirm: String,
}

async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    if !s.fresh() {
        let msg = CredentialError::NeedsFreshSignIn.words(s.lang());
        return render(s, &FieldMessages::new(), vec![msg]).await;
    }
    let ip = s.ctx.ip.clone();
    let service = s.service().clone();
    let changed = service
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
        Ok(()) => Ok(signed_out(
            s.ctx,
            L("Password cambiata", "Password changed"),
            L(
                "La password è cambiata e ti abbiamo avvisato per email. Accedi di nuovo con la nuova password.",
                "The password has changed and we told you by email. Sign in again with the new password.",
            ),
        )),
        Err(ChangePasswordError::Invalid(errors)) => render(s, &errors.into(), Vec::new()).await,
        Err(refused) => {
            let mut errors = FieldMessages::new();
            errors.add("current_password", refused);
            render(s, &errors, Vec::new()).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn remove_level2(ctx: Ctx, Form(f): Form<CsrfForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    match service.remove_level2(&s.session).await.outcome()? {
        Ok(()) => Ok(signed_out(
            s.ctx,
            L("Livello 2 disattivato", "Level 2 removed"),
            L(
                "Le credenziali di livello 2 sono state disattivate e le sessioni che le usavano sono state chiuse. Ti abbiamo avvisato per email.",
                "Your level 2 credentials were removed and the sessions that used them ended. We told you by email.",
            ),
        )),
        Err(refused) => render(s, &FieldMessages::new(), vec![refused.words(lang)]).await,
    }
}
