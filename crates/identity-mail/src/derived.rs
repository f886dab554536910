//! Derived parameters: the bits of text that vary with a template's parameters
//! (localized labels, sentences that depend on a flag or an event), computed here
//! so that the template files stay plain text with placeholders.

use chrono::DateTime;
use identity_core::identity::{RevocationCause, SuspensionReason};
use identity_core::{CorrectableField, Lang};
use serde_json::Value as Json;

use crate::engine::Value;

/// Computes a template's derived parameters; it returns every name the template
/// declares, with an empty value when a part does not apply.
pub(crate) type Derive = fn(Params<'_>, Lang) -> Vec<(&'static str, Value)>;

/// Read access to an outbox message's parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params<'a>(pub(crate) &'a Json);

impl Params<'_> {
    /// The parameter as text: strings as they are, numbers and booleans written
    /// out; `None` when absent or `null`.
    pub(crate) fn text(self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Json::Null => None,
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The parameter as text, empty when absent.
    fn or_empty(self, name: &str) -> String {
        self.text(name).unwrap_or_default()
    }

    /// Whether the parameter is `true` (or the string `"true"`).
    fn flag(self, name: &str) -> bool {
        match self.0.get(name) {
            Some(Json::Bool(b)) => *b,
            Some(Json::String(s)) => s == "true",
            _ => false,
        }
    }
}

/// An RFC 3339 time shown in Europe/Rome as `dd/mm/yyyy HH:MM`; anything else is
/// shown as it is.
pub(crate) fn rome_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_owned(),
        |t| {
            t.with_timezone(&chrono_tz::Europe::Rome)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        },
    )
}

/// The name in the greeting: the holder's name, or a neutral word when the name
/// is missing or blank.
pub(crate) fn greeting_name(params: Params<'_>, lang: Lang) -> String {
    match params.text("name") {
        Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => match lang {
            Lang::It => "cliente".to_owned(),
            Lang::En => "customer".to_owned(),
        },
    }
}

/// The layout's greeting line: `Gentile <name>,` / `Dear <name>,`.
pub(crate) fn greeting(params: Params<'_>, lang: Lang) -> String {
    let name = greeting_name(params, lang);
    match lang {
        Lang::It => format!("Gentile {name},"),
        Lang::En => format!("Dear {name},"),
    }
}

/// The layout's closing line.
pub(crate) fn signature(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "Questo messaggio è stato inviato automaticamente, non rispondere.",
        Lang::En => "This message was sent automatically; please do not reply.",
    }
}

/// Splits a list parameter on line breaks and commas, dropping blank items.
fn items(list: &str) -> Vec<String> {
    list.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// For templates without derived parameters.
pub(crate) fn none(_: Params<'_>, _: Lang) -> Vec<(&'static str, Value)> {
    Vec::new()
}

/// `verify_email`: `purpose_sentence`, after the `change` flag.
pub(crate) fn verify_email(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let sentence = match (p.flag("change"), lang) {
        (true, Lang::It) => {
            "hai chiesto di usare questo indirizzo come email di riferimento del tuo account: \
             sostituirà quello attuale solo quando lo avrai confermato."
        }
        (true, Lang::En) => {
            "You asked to use this address as the reference email of your account. \
             It will replace the current one only once you confirm it."
        }
        (false, Lang::It) => {
            "come richiesto, ti inviamo un nuovo codice per verificare il tuo indirizzo email."
        }
        (false, Lang::En) => "As requested, here is a new code to verify your email address.",
    };
    vec![("purpose_sentence", Value::text(sentence))]
}

/// `login_ids_reminder`: `login_id_list`, from `login_ids` (one a line).
pub(crate) fn login_ids_reminder(p: Params<'_>, _: Lang) -> Vec<(&'static str, Value)> {
    vec![(
        "login_id_list",
        Value::List(items(&p.or_empty("login_ids"))),
    )]
}

/// `account_closed`: `login_id_list`, from `login_ids` (comma-separated).
pub(crate) fn account_closed(p: Params<'_>, _: Lang) -> Vec<(&'static str, Value)> {
    vec![(
        "login_id_list",
        Value::List(items(&p.or_empty("login_ids"))),
    )]
}

/// The label of a contact field code (`email`, `phone`, `pec`, `address`); an
/// unknown code is shown as it is.
fn contact_label(code: &str, lang: Lang) -> String {
    let label = match (code, lang) {
        ("email", Lang::It) => "email di riferimento",
        ("email", Lang::En) => "reference email",
        ("phone", Lang::It) => "telefono",
        ("phone", Lang::En) => "phone",
        ("pec", _) => "PEC",
        ("address", Lang::It) => "indirizzo",
        ("address", Lang::En) => "postal address",
        (other, _) => other,
    };
    label.to_owned()
}

/// `data_changed`: `field_list` (the labels of `fields`) and `new_email_sentence`
/// (empty without `new_email`).
pub(crate) fn data_changed(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let labels = items(&p.or_empty("fields"))
        .iter()
        .map(|code| contact_label(code, lang))
        .collect();
    let new_email = match (p.text("new_email").filter(|e| !e.is_empty()), lang) {
        (None, _) => String::new(),
        (Some(e), Lang::It) => format!("Il nuovo indirizzo email di riferimento è {e}."),
        (Some(e), Lang::En) => format!("Your reference email is now {e}."),
    };
    vec![
        ("field_list", Value::List(labels)),
        ("new_email_sentence", Value::Text(new_email)),
    ]
}

/// `correction_decided`: `field_label`, `outcome` (for the subject),
/// `decision_sentence` and `reason_sentence` (empty unless rejected with a reason).
pub(crate) fn correction_decided(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let field = p.or_empty("field");
    let label = CorrectableField::from_code(&field).map_or(field, |f| f.label(lang).to_owned());
    let value = p.or_empty("value");
    let decision = p.or_empty("decision");
    let (outcome, sentence) = match (decision.as_str(), lang) {
        ("approved", Lang::It) => (
            "accolta",
            format!("La correzione è stata applicata: il dato ora riporta «{value}»."),
        ),
        ("approved", Lang::En) => (
            "approved",
            format!("The correction was applied: the field now reads “{value}”."),
        ),
        ("rejected", Lang::It) => (
            "respinta",
            format!(
                "La correzione richiesta («{value}») non è stata applicata: il dato resta invariato."
            ),
        ),
        ("rejected", Lang::En) => (
            "rejected",
            format!(
                "The requested correction (“{value}”) was not applied: the field is unchanged."
            ),
        ),
        (_, Lang::It) => (
            "esaminata",
            format!("Trovi l'esito della richiesta («{value}») nella tua area personale."),
        ),
        (_, Lang::En) => (
            "reviewed",
            format!("You can see the outcome of the request (“{value}”) in your customer area."),
        ),
    };
    let reason = p.or_empty("reason");
    let reason = match lang {
        _ if decision != "rejected" || reason.trim().is_empty() => String::new(),
        Lang::It => format!("Motivazione dell'operatore: {}", reason.trim()),
        Lang::En => format!("Reason given by the operator: {}", reason.trim()),
    };
    vec![
        ("field_label", Value::Text(label)),
        ("outcome", Value::text(outcome)),
        ("decision_sentence", Value::Text(sentence)),
        ("reason_sentence", Value::Text(reason)),
    ]
}

/// The subject and the opening of the sentence for an identity event.
fn identity_event(event: &str, lang: Lang, at: &str) -> (&'static str, String) {
    match (event, lang) {
        ("identity.requested", Lang::It) => (
            "Richiesta di identità digitale ricevuta",
            format!(
                "il {at} abbiamo ricevuto la tua richiesta di identità digitale, che sarà attivata dopo il riconoscimento"
            ),
        ),
        ("identity.requested", Lang::En) => (
            "Digital identity request received",
            format!(
                "On {at} we received your digital identity request; it becomes active once your identity is verified"
            ),
        ),
        ("identity.verified", Lang::It) => (
            "Identità digitale attiva",
            format!(
                "il {at} il riconoscimento è stato completato: la tua identità digitale è attiva"
            ),
        ),
        ("identity.verified", Lang::En) => (
            "Digital identity active",
            format!("On {at} your identity was verified: your digital identity is active"),
        ),
        ("identity.suspended", Lang::It) => (
            "Identità digitale sospesa",
            format!("il {at} la tua identità digitale è stata sospesa"),
        ),
        ("identity.suspended", Lang::En) => (
            "Digital identity suspended",
            format!("On {at} your digital identity was suspended"),
        ),
        ("identity.reactivated", Lang::It) => (
            "Identità digitale riattivata",
            format!("il {at} la tua identità digitale è stata riattivata"),
        ),
        ("identity.reactivated", Lang::En) => (
            "Digital identity reactivated",
            format!("On {at} your digital identity was reactivated"),
        ),
        ("identity.revoked", Lang::It) => (
            "Identità digitale revocata",
            format!("il {at} la tua identità digitale è stata revocata"),
        ),
        ("identity.revoked", Lang::En) => (
            "Digital identity revoked",
            format!("On {at} your digital identity was revoked"),
        ),
        (_, Lang::It) => (
            "Aggiornamento della tua identità digitale",
            format!("il {at} la tua identità digitale è stata aggiornata"),
        ),
        (_, Lang::En) => (
            "Your digital identity was updated",
            format!("On {at} your digital identity was updated"),
        ),
    }
}

/// `identity_state_changed`: `event_title` (the subject), `event_sentence` (what
/// happened, when, and the suspension reason or revocation cause),
/// `deadline_sentence` (a suspension's deadline) and `revocation_sentence`.
pub(crate) fn identity_state_changed(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let event = p.or_empty("event");
    let at = rome_time(&p.or_empty("at"));
    let reason = p
        .text("reason")
        .and_then(|r| SuspensionReason::from_code(&r));
    let cause = p.text("cause").and_then(|c| RevocationCause::from_code(&c));
    let (title, mut sentence) = identity_event(&event, lang, &at);
    for label in [reason.map(|r| r.label(lang)), cause.map(|c| c.label(lang))]
        .into_iter()
        .flatten()
    {
        sentence.push_str(" (");
        sentence.push_str(label);
        sentence.push(')');
    }
    sentence.push('.');
    let deadline = match (reason, p.text("deadline").map(|d| rome_time(&d)), lang) {
        (Some(_), Some(d), Lang::It) => format!(
            "Senza una riattivazione entro il {d} resterà sospesa o sarà revocata secondo le regole SPID."
        ),
        (Some(_), Some(d), Lang::En) => format!(
            "Unless it is reactivated by {d} it stays suspended or is revoked under the SPID rules."
        ),
        _ => String::new(),
    };
    let revocation = match lang {
        _ if cause.is_none() && event != "identity.revoked" => "",
        Lang::It => "La revoca è definitiva.",
        Lang::En => "Revocation is final.",
    };
    vec![
        ("event_title", Value::text(title)),
        ("event_sentence", Value::Text(sentence)),
        ("deadline_sentence", Value::Text(deadline)),
        ("revocation_sentence", Value::text(revocation)),
    ]
}

#[cfg(test)]
#[path = "derived_tests.rs"]
mod tests;
