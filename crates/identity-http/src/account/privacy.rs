//! Privacy and communications: the marketing switch, the other consents (given or
//! withdrawn at any time), and the download of all the holder's data as JSON.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use identity_core::consent::ConsentKind;
use identity_core::identity::Actor;
use identity_words::Label as _;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_service::InfraError;
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/privacy", get(show))
        .route("/account/privacy/consent", post(set))
        .route("/account/privacy/export", post(export))
}

struct ConsentRow {
    code: &'static str,
    label: &'static str,
    state: String,
    given: bool,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "account_privacy.html")]
struct PrivacyPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    marketing_title: &'static str,
    marketing: ConsentRow,
    consents_title: &'static str,
    consents_intro: &'static str,
    rows: Vec<ConsentRow>,
    export_title: &'static str,
    export_intro: &'static str,
    export_button: &'static str,
}

async fn show(ctx: Ctx) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let holder = s.holder().await?;
    let consents = s.service().consents(s.session.holder_id).await?;
    let row = |c: &identity_service::usecases::privacy::ConsentStatus| {
        let since = c.since.map(rome_time).unwrap_or_default();
        ConsentRow {
            code: c.kind.code(),
            label: c.kind.label().get(lang),
            state: if c.given {
                format!(
                    "{} ({since})",
                    L("Consenso dato", "Consent given").get(lang)
                )
            } else {
                format!(
                    "{} ({since})",
                    L("Consenso non dato", "Consent not given").get(lang)
                )
            },
            given: c.given,
            button: if c.given {
                L("Revoca il consenso", "Withdraw consent").get(lang)
            } else {
                L("Dai il consenso", "Give consent").get(lang)
            },
        }
    };
    let Some(marketing) = consents
        .iter()
        .find(|c| c.kind == ConsentKind::Marketing)
        .map(row)
    else {
        return Err(InfraError::Corrupt("the marketing consent is missing").into());
    };
    let marketing = ConsentRow {
        state: if marketing.given {
            L(
                "Comunicazioni marketing attive.",
                "Marketing communications are on.",
            )
            .get(lang)
            .to_owned()
        } else {
            L(
                "Comunicazioni marketing disattivate.",
                "Marketing communications are off.",
            )
            .get(lang)
            .to_owned()
        },
        button: if marketing.given {
            L(
                "Disattiva le comunicazioni marketing",
                "Turn marketing communications off",
            )
            .get(lang)
        } else {
            L(
                "Attiva le comunicazioni marketing",
                "Turn marketing communications on",
            )
            .get(lang)
        },
        ..marketing
    };
    let rows = consents
        .iter()
        .filter(|c| c.kind != ConsentKind::Marketing)
        .map(row)
        .collect();
    let f = Frame::new(&mut s, Section::Privacy, &holder);
    let c = s.ctx.chrome(true);
    let page = PrivacyPage {
        c,
        f,
        title: L("Privacy e comunicazioni", "Privacy and communications").get(lang),
        marketing_title: L("Comunicazioni marketing", "Marketing communications").get(lang),
        marketing,
        consents_title: L("Altri consensi", "Other consents").get(lang),
        consents_intro: L(
            "Puoi dare o revocare ogni consenso in qualsiasi momento; la revoca non tocca i trattamenti già fatti.",
            "You can give or withdraw each consent at any time; withdrawing does not affect processing already done.",
        )
        .get(lang),
        rows,
        export_title: L("I tuoi dati", "Your data").get(lang),
        export_intro: L(
            "Scarica in un file JSON tutti i dati che conserviamo su di te: anagrafica, login, identità digitali, consensi, richieste, ordini, sessioni e registro delle operazioni.",
            "Download as a JSON file all the data we keep about you: holder data, logins, digital identities, consents, requests, orders, sessions and the log of operations.",
        )
        .get(lang),
        export_button: L("Scarica i miei dati (JSON)", "Download my data (JSON)").get(lang),
    };
    Ok(s.ctx.page(&page))
}

#[derive(serde::Deserialize)]
struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    given: String,
}

async fn set(ctx: Ctx, Form(f): Form<ConsentForm>) -> Page {
    let (s, _) = super::action(ctx, &f.csrf).await?;
    let Some(kind) = ConsentKind::from_code(&f.kind) else {
        return Ok(s.redirect_with("/account/privacy", "nothing_changed"));
    };
    let actor = Actor::Holder(s.session.holder_id);
    Ok(
        match s
            .service()
            .set_consent(s.session.holder_id, kind, f.given == "yes", &actor)
            .await
        {
            Ok(true) => s.redirect_with("/account/privacy", "consent_saved"),
            Ok(false) => s.redirect_with("/account/privacy", "nothing_changed"),
            Err(e) => return Err(e.into()),
        },
    )
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn export(ctx: Ctx, Form(f): Form<CsrfForm>) -> Page {
    let s = super::signed_post(ctx, &f.csrf).await?;
    let actor = Actor::Holder(s.session.holder_id);
    Ok(
        match s
            .service()
            .export_holder_data(s.session.holder_id, &actor)
            .await
        {
            Ok(doc) => {
                let body = serde_json::to_string_pretty(&doc).unwrap_or_default();
                (
                    [
                        (
                            header::CONTENT_TYPE,
                            "application/json; charset=utf-8".to_owned(),
                        ),
                        (
                            header::CONTENT_DISPOSITION,
                            "attachment; filename=\"my-data.json\"".to_owned(),
                        ),
                        (header::CACHE_CONTROL, "no-store".to_owned()),
                    ],
                    body,
                )
                    .into_response()
            }
            Err(e) => return Err(e.into()),
        },
    )
}
