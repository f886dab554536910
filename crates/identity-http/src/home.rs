//! The home page and the privacy notice.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::web::{Chrome, Ctx};
use identity_words::L;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/privacy", get(privacy))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    title: &'static str,
    intro: &'static str,
    links: Vec<(&'static str, &'static str, &'static str)>,
}

async fn home(mut ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let signed_in = ctx.session().await.is_some();
    let c = ctx.chrome(signed_in);
    let page = HomePage {
        c,
        title: L("Identità digitale e area clienti", "Digital identity and customer area").get(lang),
        intro: L(
            "Registrati gratuitamente per ottenere i tuoi codici di autenticazione, gestisci i tuoi dati e le tue login dall'area clienti.",
            "Register for free to get your authentication codes, and manage your details and logins from the customer area.",
        )
        .get(lang),
        links: vec![
            (
                "/register",
                L("Registrati", "Register").get(lang),
                L("Modulo di registrazione per persone, aziende, professionisti ed enti.", "Registration form for people, companies, professionals and bodies.").get(lang),
            ),
            (
                "/account",
                L("Area clienti", "Customer area").get(lang),
                L("Dati intestatario, login, privacy, richieste di rettifica e ordini.", "Holder data, logins, privacy, correction requests and orders.").get(lang),
            ),
            (
                crate::selfcare::SIGN_IN,
                L("Selfcare SPID", "SPID Selfcare").get(lang),
                L("Accedi con la tua identità digitale per gestirla: sospensione, revoca, credenziali, ultimi accessi e blocco d'emergenza.", "Sign in with your digital identity to manage it: suspension, revocation, credentials, last accesses and emergency block.").get(lang),
            ),
            (
                "/account/recover",
                L("Smarrimento account", "Lost account").get(lang),
                L("Recupera la login o reimposta la password.", "Recover your login id or reset your password.").get(lang),
            ),
        ],
    };
    ctx.page(&page)
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyNotice {
    c: Chrome,
    title: &'static str,
    version: &'static str,
    paragraphs: Vec<&'static str>,
}

async fn privacy(mut ctx: Ctx) -> Response {
    let lang = ctx.lang;
    let c = ctx.chrome(false);
    let paragraphs = L(vec![
            "Titolare del trattamento è il gestore di questo servizio di identità digitale. I tuoi dati (anagrafici, di contatto, le login e i registri di accesso) sono trattati per registrarti, fornirti i codici di autenticazione e l'identità digitale, e per adempiere agli obblighi di legge (art. 6.1 lettere b e c del Regolamento UE 2016/679).",
            "Con il tuo consenso, facoltativo e revocabile in qualsiasi momento dall'area clienti, possiamo inoltre inviarti comunicazioni commerciali (marketing), analizzare le tue preferenze per proposte personalizzate (profilazione) e comunicare i tuoi dati di contatto a partner per loro offerte. Negare o revocare questi consensi non ha conseguenze sul servizio.",
            "I registri degli accessi sono conservati 24 mesi; i dati del riconoscimento dell'identità 20 anni dalla revoca dell'identità digitale, come previsto dalle regole SPID; il registro delle operazioni per il tempo richiesto dalla legge. Alla chiusura dell'account gli altri dati vengono cancellati.",
            "Puoi consultare e scaricare i tuoi dati, correggerli (anche con una richiesta di rettifica), revocare i consensi e chiudere l'account dall'area clienti. Puoi proporre reclamo al Garante per la protezione dei dati personali.",
        ], vec![
            "The controller is the operator of this digital-identity service. Your data (identity, contacts, logins and access records) is processed to register you, provide your authentication codes and digital identity, and meet legal obligations (art. 6.1 b and c of Regulation (EU) 2016/679).",
            "With your consent, optional and revocable at any time from the customer area, we may also send you commercial communications (marketing), analyse your preferences for tailored offers (profiling) and pass your contact data to partners for their own offers. Refusing or withdrawing these consents has no effect on the service.",
            "Access records are kept 24 months; identity-proofing records 20 years after the digital identity is revoked, as the SPID rules require; the log of operations as long as the law requires. When the account is closed the other data is erased.",
            "You can view and download your data, correct it (also through a correction request), withdraw consents and close the account from the customer area. You may lodge a complaint with the Italian data protection authority (Garante).",
        ]).get(lang);
    let page = PrivacyNotice {
        c,
        title: L("Informativa sulla privacy", "Privacy notice").get(lang),
        version: identity_core::consent::PRIVACY_NOTICE_VERSION,
        paragraphs,
    };
    ctx.page(&page)
}
