//! Active sessions: every open session of the holder (selfcare and customer
//! area), with device, address, level and start; any but the current one can be
//! ended here.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::{get, post};
use identity_core::{Lang, SessionArea};

use super::{Frame, Signed};
use crate::AppState;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/sessions", get(show))
        .route("/selfcare/sessions/end", post(end))
}

#[derive(Template)]
#[template(path = "selfcare_sessions.html")]
struct SessionsPage {
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    intro: &'static str,
    head: Vec<&'static str>,
    /// (id, area, device, address, level, started, current)
    rows: Vec<(String, String, String, String, String, String, bool)>,
    end_label: &'static str,
    current_label: &'static str,
}

async fn show(ctx: Ctx) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let sessions = s.service().sessions_of(s.session.holder_id).await?;
    let rows = sessions
        .iter()
        .map(|x| {
            let area = match (x.area, lang) {
                (SessionArea::Selfcare, _) => "Selfcare".to_owned(),
                (SessionArea::Customer, Lang::It) => "Area clienti".to_owned(),
                (SessionArea::Customer, Lang::En) => "Customer area".to_owned(),
            };
            (
                x.id.to_string(),
                area,
                x.user_agent.clone().unwrap_or_else(|| "—".into()),
                x.client_ip.clone().unwrap_or_else(|| "—".into()),
                x.level.as_u8().to_string(),
                rome_time(x.created_at),
                x.id == s.session.id,
            )
        })
        .collect();
    let f = Frame::new(&mut s, "/selfcare/sessions");
    let c = s.ctx.selfcare_chrome(true);
    let page = SessionsPage {
        c,
        f,
        notices: Vec::new(),
        title: L("Sessioni attive", "Active sessions").get(lang),
        intro: L(
            "Le sessioni aperte con le tue login. Se non ne riconosci una, chiudila e cambia la password.",
            "The sessions open with your logins. If you do not recognise one, end it and change your password.",
        )
        .get(lang),
        head: vec![
            L("Area", "Area").get(lang),
            L("Dispositivo", "Device").get(lang),
            L("Indirizzo IP", "IP address").get(lang),
            L("Livello", "Level").get(lang),
            L("Inizio", "Started").get(lang),
        ],
        rows,
        end_label: L("Chiudi", "End").get(lang),
        current_label: L("Questa sessione", "This session").get(lang),
    };
    Ok(s.ctx.page(&page))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EndForm {
    csrf: String,
    id: String,
}

async fn end(ctx: Ctx, Form(f): Form<EndForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let Ok(id) = f.id.parse::<uuid::Uuid>() else {
        return Ok(s.redirect_with("/selfcare/sessions", "session_ended"));
    };
    Ok(
        match s
            .service()
            .end_holder_session(s.session.holder_id, id)
            .await
        {
            Ok(()) | Err(identity_service::StoreError::NotFound) => {
                s.redirect_with("/selfcare/sessions", "session_ended")
            }
            Err(e) => return Err(e.into()),
        },
    )
}
