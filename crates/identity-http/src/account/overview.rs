//! The holder's data: identity fields read-only (with a correction request for a
//! typo), secondary attributes with a link to change them.

use askama::Template;
use axum::Router;
use axum::routing::get;
use identity_core::correction::CorrectableField;
use identity_core::values::places::place_name;
use identity_core::{DataReview, Holder, HolderKind, InvoicingChannel, Lang, LoginId};
use identity_words::Label as _;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/account", get(overview))
}

/// One line of the holder's data: label, value, and for identity fields the
/// correction request link.
pub(crate) struct Row {
    pub label: String,
    pub value: String,
    pub correct: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct OverviewPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    identity_title: &'static str,
    identity_note: &'static str,
    correct_label: &'static str,
    identity_rows: Vec<Row>,
    review: Option<&'static str>,
    contacts_title: &'static str,
    contact_rows: Vec<Row>,
    edit: &'static str,
    logins_title: &'static str,
    logins: Vec<String>,
    manage_logins: &'static str,
}

/// The identity fields of `holder`, each with its correction link.
pub(crate) fn identity_rows(holder: &Holder, lang: Lang) -> Vec<Row> {
    let mut rows = vec![Row {
        label: L("Tipologia", "Subject kind").get(lang).to_owned(),
        value: holder.subject_kind().label().get(lang).to_owned(),
        correct: None,
    }];
    for field in CorrectableField::fields_of(holder) {
        let mut value = field.current_value(holder).unwrap_or_default();
        match field {
            CorrectableField::BirthPlace => {
                value = place_name(&value, lang).unwrap_or(value);
            }
            CorrectableField::BirthDate => {
                if let Some(p) = holder.person() {
                    value = p.birth_date().format("%d/%m/%Y").to_string();
                }
            }
            CorrectableField::Sex => {
                let label = if value == "F" {
                    L("Femminile", "Female")
                } else {
                    L("Maschile", "Male")
                };
                value = label.get(lang).to_owned();
            }
            _ => {}
        }
        if value.is_empty() {
            continue;
        }
        rows.push(Row {
            label: field.label().get(lang).to_owned(),
            value,
            correct: Some(format!("/account/corrections?field={}", field.code())),
        });
    }
    rows
}

fn contact_rows(holder: &Holder, lang: Lang) -> Vec<Row> {
    let c = holder.contacts();
    let row = |label: L, value: String| Row {
        label: label.get(lang).to_owned(),
        value,
        correct: None,
    };
    let mut rows = vec![
        row(
            L("Email di riferimento", "Reference email"),
            if holder.email_verified() {
                c.email.to_string()
            } else {
                format!(
                    "{} ({})",
                    c.email,
                    L("da confermare", "not confirmed yet").get(lang)
                )
            },
        ),
        row(L("Telefono", "Phone"), c.phone.to_string()),
        row(
            L("PEC", "PEC"),
            c.pec
                .as_ref()
                .map_or_else(|| "—".to_owned(), ToString::to_string),
        ),
        row(L("Indirizzo", "Address"), holder.address().to_string()),
    ];
    if let HolderKind::Company(co) = holder.kind()
        && let Some(ch) = &co.invoicing
    {
        let v = match ch {
            InvoicingChannel::Sdi(code) => format!("SDI {code}"),
            InvoicingChannel::Pec(p) => format!("PEC {p}"),
        };
        rows.push(row(
            L("Fatturazione elettronica", "Electronic invoicing"),
            v,
        ));
    }
    rows
}

async fn overview(ctx: Ctx) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let overview = s.service().holder_overview(s.session.holder_id).await?;
    let h = &overview.holder;
    let domain = s.service().config().login_domain.clone();
    let f = Frame::new(&mut s, Section::Overview, h);
    let c = s.ctx.chrome(true);
    let page = OverviewPage {
        c,
        f,
        title: L("Dati intestatario", "Holder data").get(lang),
        identity_title: L("Dati anagrafici", "Identity data").get(lang),
        identity_note: L(
            "Questi dati non si possono modificare: valgono per tutte le tue login. Se c'è un errore di battitura, chiedi una rettifica; per intestare l'account a un altro soggetto serve una nuova registrazione.",
            "These details cannot be changed: they apply to all your logins. For a typo, ask for a correction; to put the account in another subject's name, register anew.",
        )
        .get(lang),
        correct_label: L("Chiedi una rettifica", "Ask for a correction").get(lang),
        identity_rows: identity_rows(h, lang),
        review: match h.data_review() {
            DataReview::Pending => Some(L(
                "Il tuo codice fiscale non corrisponde ai dati anagrafici indicati e li hai confermati: un operatore li sta verificando. Riceverai l'esito per email; fino ad allora non puoi chiedere l'identità digitale.",
                "Your tax code does not match the personal data you gave and you confirmed it: an operator is checking it. You will get the outcome by email; until then you cannot request a digital identity.",
            ).get(lang)),
            DataReview::Rejected => Some(L(
                "Un operatore non ha potuto confermare i tuoi dati anagrafici rispetto al codice fiscale: chiedi una rettifica del dato errato oppure registrati di nuovo con i dati corretti.",
                "An operator could not confirm your personal data against the tax code: ask for a correction of the wrong field, or register again with the right data.",
            ).get(lang)),
            DataReview::NotNeeded | DataReview::Confirmed => None,
        },
        contacts_title: L("Contatti e indirizzo", "Contacts and address").get(lang),
        contact_rows: contact_rows(h, lang),
        edit: L("Modifica contatti e indirizzo", "Change contacts and address").get(lang),
        logins_title: L("Login associate a questi dati", "Logins sharing these details").get(lang),
        logins: overview
            .logins
            .iter()
            .filter(|l| l.is_active())
            .map(|l| LoginId::new(l.number(), &domain).to_string())
            .collect(),
        manage_logins: L("Gestisci le login", "Manage logins").get(lang),
    };
    Ok(s.ctx.page(&page))
}
