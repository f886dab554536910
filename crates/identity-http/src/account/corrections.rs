//! Correction requests: ask an operator to fix a typo in an identity field, and
//! follow the requests' state.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::routing::get;
use identity_core::correction::{CorrectableField, CorrectionError, CorrectionState};
use identity_core::identity::Actor;
use identity_service::Outcome as _;
use identity_service::usecases::corrections::CorrectionOpError;
use identity_words::Label as _;
use identity_words::Words;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/account/corrections", get(show).post(open))
}

struct RequestRow {
    field: &'static str,
    old: String,
    new: String,
    opened: String,
    state: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "account_corrections.html")]
struct CorrectionsPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    intro: &'static str,
    rows: Vec<RequestRow>,
    none: &'static str,
    h_field: &'static str,
    h_old: &'static str,
    h_new: &'static str,
    h_opened: &'static str,
    h_state: &'static str,
    new_title: &'static str,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
    notices: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
struct CorrectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    requested_value: String,
    #[serde(default)]
    reason: String,
}

async fn render(
    mut s: Signed,
    form: &CorrectionForm,
    errors: &FieldMessages,
    notices: Vec<String>,
) -> Page {
    let lang = s.lang();
    let service = s.service().clone();
    let holder = s.holder().await?;
    let requests = service.corrections_of(s.session.holder_id).await?;
    let rows = requests
        .iter()
        .map(|r| RequestRow {
            field: r.field.label().get(lang),
            old: r.current_value.clone(),
            new: r.requested_value.clone(),
            opened: rome_time(r.opened_at),
            state: r.state.label().get(lang),
            note: match &r.state {
                CorrectionState::Rejected { reason, .. } => reason.clone(),
                _ => String::new(),
            },
        })
        .collect();
    let fields = CorrectableField::fields_of(&holder)
        .into_iter()
        .map(|f| (f.code().to_owned(), f.label().get(lang).to_owned()));
    let mut sets = vec![Fieldset::new(
        L("Richiesta", "Request"),
        lang,
        vec![
            Field::new("field", L("Dato da correggere", "Field to correct"), "select", lang)
                .value(&form.field)
                .options(fields),
            Field::new("requested_value", L("Valore corretto", "Correct value"), "text", lang)
                .value(&form.requested_value)
                .hint(L("Come deve comparire: per la data gg/mm/aaaa, per il luogo il codice catastale (ad esempio H501), per il sesso M o F.", "As it should read: dates as dd/mm/yyyy, the place as its cadastral code (for example H501), sex as M or F.").get(lang)),
            Field::new("reason", L("Motivo", "Reason"), "textarea", lang)
                .value(&form.reason)
                .hint(L("Spiega l'errore (massimo 500 caratteri). Un operatore verificherà la richiesta sui tuoi documenti.", "Explain the mistake (500 characters at most). An operator will check it against your documents.").get(lang)),
        ],
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, Section::Corrections, &holder);
    let c = s.ctx.chrome(true);
    let page = CorrectionsPage {
        c,
        f,
        title: L("Richieste di rettifica", "Correction requests").get(lang),
        intro: L(
            "Nome, cognome, codice fiscale, partita IVA e gli altri dati anagrafici non si possono cambiare direttamente. Se contengono un errore di battitura, chiedi una rettifica: un operatore la approverà o la respingerà e riceverai l'esito per email.",
            "Names, tax code, VAT number and the other identity data cannot be changed directly. If they contain a typo, ask for a correction: an operator approves or rejects it and you get the outcome by email.",
        )
        .get(lang),
        rows,
        none: L("Nessuna richiesta.", "No requests.").get(lang),
        h_field: L("Dato", "Field").get(lang),
        h_old: L("Valore registrato", "Value on record").get(lang),
        h_new: L("Valore richiesto", "Requested value").get(lang),
        h_opened: L("Aperta il", "Opened").get(lang),
        h_state: L("Stato", "State").get(lang),
        new_title: L("Nuova richiesta", "New request").get(lang),
        submit: L("Invia la richiesta", "Send the request").get(lang),
        sets,
        summary,
        notices,
    };
    Ok(s.ctx.form_page(&page, failed))
}

#[derive(serde::Deserialize)]
struct FieldQuery {
    field: Option<String>,
}

async fn show(ctx: Ctx, Query(q): Query<FieldQuery>) -> Page {
    let s = Signed::from(ctx).await?;
    let form = CorrectionForm {
        field: q.field.unwrap_or_default(),
        ..CorrectionForm::default()
    };
    render(s, &form, &FieldMessages::new(), Vec::new()).await
}

async fn open(ctx: Ctx, Form(form): Form<CorrectionForm>) -> Page {
    let (s, _) = super::action(ctx, &form.csrf).await?;
    let lang = s.lang();
    let actor = Actor::Holder(s.session.holder_id);
    let result = s
        .service()
        .open_correction(
            s.session.holder_id,
            &form.field,
            &form.requested_value,
            &form.reason,
            &actor,
        )
        .await
        .outcome()?;
    let mut errors = FieldMessages::new();
    let mut notices = Vec::new();
    match result {
        Ok(_) => return Ok(s.redirect_with("/account/corrections", "correction_opened")),
        Err(CorrectionOpError::UnknownField) => {
            errors.add("field", CorrectionOpError::UnknownField);
        }
        Err(CorrectionOpError::Refused(e @ CorrectionError::Required("reason"))) => {
            errors.add("reason", e);
        }
        Err(CorrectionOpError::Refused(e)) => errors.add("requested_value", e),
        Err(refused) => notices.push(refused.words(lang)),
    }
    render(s, &form, &errors, notices).await
}
