//! Last accesses: every sign-in with the identity (date and time, service,
//! level, credential, outcome, address), newest first, 20 a page, filtered by a
//! date range, downloadable as CSV; and the access-notification switches.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use identity_core::{AccessOutcome, CredentialLevel, Lang};

use identity_service::Outcome as _;
use identity_words::L;

use super::{Frame, Signed};
use crate::AppState;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};

const PER_PAGE: u32 = 20;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/accesses", get(show))
        .route("/selfcare/accesses.csv", get(csv))
        .route("/selfcare/notifications", post(notifications))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Filter {
    from: String,
    to: String,
    /// Text, so that a hand-edited address shows the first page instead of an error.
    page: String,
}

impl Filter {
    fn page(&self) -> u32 {
        self.page.trim().parse().unwrap_or(0).min(100_000)
    }

    /// The range in UTC: from the start of `from` to the end of `to`, Rome days.
    fn range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono_tz::Europe::Rome).earliest())
                .map(|t| t.with_timezone(&Utc))
        };
        (
            day(&self.from).and_then(start),
            day(&self.to).and_then(|d| d.succ_opt()).and_then(start),
        )
    }

    fn link(&self, page: u32) -> String {
        format!(
            "/selfcare/accesses?from={}&to={}&page={page}",
            urlencode(&self.from),
            urlencode(&self.to)
        )
    }
}

fn urlencode(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect()
}

#[derive(Template)]
#[template(path = "selfcare_accesses.html")]
struct AccessesPage {
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    from_label: &'static str,
    to_label: &'static str,
    from: String,
    to: String,
    filter_submit: &'static str,
    csv_label: &'static str,
    empty: &'static str,
    head: Vec<&'static str>,
    /// (when, service, level, credential, outcome label, address, outcome code)
    records: Vec<(
        String,
        String,
        String,
        String,
        &'static str,
        String,
        &'static str,
    )>,
    pager_label: &'static str,
    newer: Option<String>,
    newer_label: &'static str,
    older: Option<String>,
    older_label: &'static str,
    notify_title: &'static str,
    notify_text: &'static str,
    notify: Vec<(u8, String, bool)>,
    notify_submit: &'static str,
}

fn outcome_label(o: AccessOutcome, lang: Lang) -> &'static str {
    match o {
        AccessOutcome::Ok => L("Riuscito", "OK"),
        AccessOutcome::Failed => L("Fallito", "Failed"),
        AccessOutcome::ConsentDenied => L("Consenso negato", "Consent not given"),
    }
    .get(lang)
}

fn service_label(service: &str, lang: Lang) -> String {
    if service == "selfcare" {
        "Selfcare".to_owned()
    } else if service == "customer_area" {
        L("Area clienti", "Customer area").get(lang).to_owned()
    } else {
        service.to_owned()
    }
}

/// The credential used, in words (the CSV export keeps the stored codes).
fn credential_label(credential: &str, lang: Lang) -> String {
    match credential {
        "password" => L("Password", "Password").get(lang).to_owned(),
        "totp" => L("Codice dell'app", "App code").get(lang).to_owned(),
        "webauthn" => L("Chiave di sicurezza", "Security key")
            .get(lang)
            .to_owned(),
        other => other.to_owned(),
    }
}

async fn show(ctx: Ctx, Query(q): Query<Filter>) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let (from, until) = q.range();
    let page = s
        .service()
        .accesses(s.session.holder_id, from, until, q.page(), PER_PAGE)
        .await?;
    let records = page
        .records
        .iter()
        .map(|r| {
            (
                rome_time(r.at),
                service_label(&r.service, lang),
                r.level.as_u8().to_string(),
                credential_label(&r.credential, lang),
                outcome_label(r.outcome, lang),
                r.client_ip.clone().unwrap_or_default(),
                r.outcome.code(),
            )
        })
        .collect();
    let notify = CredentialLevel::ALL
        .iter()
        .map(|l| {
            let label = L(
                format!("Avvisami per email a ogni accesso di livello {}", l.as_u8()),
                format!("Email me at every level {} sign-in", l.as_u8()),
            )
            .get(lang);
            (l.as_u8(), label, s.creds.notifies(*l))
        })
        .collect();
    let f = Frame::new(&mut s, "/selfcare/accesses");
    let c = s.ctx.selfcare_chrome(true);
    let view = AccessesPage {
        c,
        f,
        notices: Vec::new(),
        title: L("Ultimi accessi", "Last accesses").get(lang),
        from_label: L("Dal", "From").get(lang),
        to_label: L("Al", "To").get(lang),
        from: urlencode(&q.from),
        to: urlencode(&q.to),
        filter_submit: L("Filtra", "Filter").get(lang),
        csv_label: L("Scarica CSV", "Download CSV").get(lang),
        empty: L("Nessun accesso nel periodo.", "No accesses in this period.").get(lang),
        head: vec![
            L("Data e ora", "Date and time").get(lang),
            L("Servizio", "Service").get(lang),
            L("Livello", "Level").get(lang),
            L("Credenziale", "Credential").get(lang),
            L("Esito", "Outcome").get(lang),
            L("Indirizzo IP", "IP address").get(lang),
        ],
        records,
        pager_label: L("Pagine", "Pages").get(lang),
        newer: (q.page() > 0).then(|| q.link(q.page() - 1)),
        newer_label: L("Più recenti", "Newer").get(lang),
        older: page.has_more.then(|| q.link(q.page() + 1)),
        older_label: L("Meno recenti", "Older").get(lang),
        notify_title: L("Notifiche di accesso", "Access notifications").get(lang),
        notify_text: L(
            "Per ogni livello che scegli, a ogni accesso riuscito ti mandiamo un'email con data, ora, servizio e livello.",
            "For each level you choose, every successful sign-in sends you an email with date, time, service and level.",
        )
        .get(lang),
        notify,
        notify_submit: L("Salva le preferenze", "Save preferences").get(lang),
    };
    Ok(s.ctx.page(&view))
}

async fn csv(ctx: Ctx, Query(q): Query<Filter>) -> Page {
    let s = Signed::from(ctx).await?;
    let (from, until) = q.range();
    let mut file = s.service().accesses_csv(s.session.holder_id, from, until);
    // The header and the first page before answering, so a database out of
    // reach is still an error page; the rest is streamed a page at a time (a
    // failure then cuts the download short, which the browser reports).
    let mut first = String::new();
    for _ in 0..2 {
        if let Some(chunk) = file.next_chunk().await? {
            first.push_str(&chunk);
        }
    }
    let rest = futures_util::stream::try_unfold(file, |mut file| async move {
        Ok::<_, identity_service::StoreError>(file.next_chunk().await?.map(|chunk| (chunk, file)))
    });
    let body = axum::body::Body::from_stream(futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(first) }),
        rest,
    ));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ultimi-accessi.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NotifyForm {
    csrf: String,
    level1: Option<String>,
    level2: Option<String>,
    level3: Option<String>,
}

async fn notifications(ctx: Ctx, Form(f): Form<NotifyForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    for (level, on) in [
        (CredentialLevel::L1, f.level1.is_some()),
        (CredentialLevel::L2, f.level2.is_some()),
        (CredentialLevel::L3, f.level3.is_some()),
    ] {
        // The one refusal here: the sign-in is not fresh enough.
        if s.creds.notifies(level) != on
            && service
                .set_access_notification(&s.session, level, on)
                .await
                .outcome()?
                .is_err()
        {
            return Ok(s.redirect_with("/selfcare/accesses#notifications", "needs_fresh"));
        }
    }
    Ok(s.redirect_with("/selfcare/accesses#notifications", "notifications_saved"))
}
