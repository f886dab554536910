//! Derived parameters: the bits of text that vary with a template's parameters
//! (localized labels, sentences that depend on a flag or an event), computed here
//! so that the template files stay plain text with placeholders.

use chrono::DateTime;
use identity_core::identity::{RevocationCause, SuspensionReason};
use identity_core::{CorrectableField, Lang};
use serde_json::Value as Json;

use identity_words::{L, Label};

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
        _ => L("cliente", "customer").text(lang),
    }
}

/// The layout's greeting line: `Gentile <name>,` / `Dear <name>,`.
pub(crate) fn greeting(params: Params<'_>, lang: Lang) -> String {
    let name = greeting_name(params, lang);
    L(format!("Gentile {name},"), format!("Dear {name},")).get(lang)
}

/// The layout's closing line.
pub(crate) fn signature(lang: Lang) -> &'static str {
    L(
        "Questo messaggio è stato inviato automaticamente, non rispondere.",
        "This message was sent automatically; please do not reply.",
    )
    .get(lang)
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
    let label = CorrectableField::from_code(&field).map_or(field, |f| f.label().text(lang));
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
    let reason = if decision != "rejected" || reason.trim().is_empty() {
        String::new()
    } else {
        let reason = reason.trim();
        L(
            format!("Motivazione dell'operatore: {reason}"),
            format!("Reason given by the operator: {reason}"),
        )
        .get(lang)
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
        ("identity.deadline_passed", Lang::It) => (
            "Identità digitale ancora sospesa",
            format!(
                "il {at} sono trascorsi 30 giorni dalla sospensione: la tua identità digitale resta sospesa finché non la riattivi dal Selfcare con un codice di verifica o con l'assistenza"
            ),
        ),
        ("identity.deadline_passed", Lang::En) => (
            "Digital identity still suspended",
            format!(
                "On {at} the 30 days of the suspension ended: your digital identity stays suspended until you reactivate it from the Selfcare with a verification code, or with our support"
            ),
        ),
        ("identity.police_report_recorded", Lang::It) => (
            "Denuncia registrata sulla tua identità digitale",
            format!(
                "il {at} abbiamo registrato la denuncia relativa alla tua identità digitale sospesa: alla scadenza della sospensione sarà revocata"
            ),
        ),
        ("identity.police_report_recorded", Lang::En) => (
            "Police report recorded on your digital identity",
            format!(
                "On {at} we recorded the police report about your suspended digital identity: it will be revoked when the suspension ends"
            ),
        ),
        ("identity.document_recorded", Lang::It) => (
            "Nuovo documento di identità registrato",
            format!(
                "il {at} abbiamo registrato il nuovo documento di identità della tua identità digitale"
            ),
        ),
        ("identity.document_recorded", Lang::En) => (
            "New identity document recorded",
            format!("On {at} we recorded the new identity document of your digital identity"),
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
    for label in [
        reason.map(|r| r.label().get(lang)),
        cause.map(|c| c.label().get(lang)),
    ]
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
    let revocation = if cause.is_none() && event != "identity.revoked" {
        ""
    } else {
        L("La revoca è definitiva.", "Revocation is final.").get(lang)
    };
    vec![
        ("event_title", Value::text(title)),
        ("event_sentence", Value::Text(sentence)),
        ("deadline_sentence", Value::Text(deadline)),
        ("revocation_sentence", Value::text(revocation)),
    ]
}

#[cfg(test)]
mod tests;

/// `security_code`: the title and the sentence of what the code is for.
pub(crate) fn security_code(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let (title, sentence) = match (p.or_empty("purpose").as_str(), lang) {
        ("emergency_block", Lang::It) => (
            "Codice per il blocco d'emergenza",
            "hai chiesto il blocco d'emergenza della tua identità digitale. Inserisci questo codice nella pagina del blocco per sospenderla subito.",
        ),
        ("emergency_block", Lang::En) => (
            "Code for the emergency block",
            "You asked for the emergency block of your digital identity. Enter this code on the block page to suspend it at once.",
        ),
        ("reactivate_identity", Lang::It) => (
            "Codice per riattivare l'identità digitale",
            "hai chiesto di riattivare la tua identità digitale sospesa. Inserisci questo codice nel Selfcare per confermare.",
        ),
        ("reactivate_identity", Lang::En) => (
            "Code to reactivate your digital identity",
            "You asked to reactivate your suspended digital identity. Enter this code in the Selfcare to confirm.",
        ),
        ("revoke_identity", Lang::It) => (
            "Codice per revocare l'identità digitale",
            "hai chiesto la revoca della tua identità digitale. La revoca è definitiva: inserisci questo codice nel Selfcare solo se sei sicuro.",
        ),
        ("revoke_identity", Lang::En) => (
            "Code to revoke your digital identity",
            "You asked to revoke your digital identity. Revocation is final: enter this code in the Selfcare only if you are sure.",
        ),
        ("new_emergency_code", Lang::It) => (
            "Codice per un nuovo codice di emergenza",
            "hai chiesto un nuovo codice di emergenza. Inserisci questo codice nella pagina di recupero: il nuovo codice ti arriverà in due metà, per email e per SMS.",
        ),
        ("new_emergency_code", Lang::En) => (
            "Code for a new emergency code",
            "You asked for a new emergency code. Enter this code on the recovery page: the new code reaches you in two halves, by email and SMS.",
        ),
        ("unblock_level2", Lang::It) => (
            "Codice per sbloccare il livello 2",
            "le credenziali di livello 2 sono state bloccate dopo troppi codici errati. Inserisci questo codice nella pagina di accesso per sbloccarle.",
        ),
        ("unblock_level2", Lang::En) => (
            "Code to unblock level 2",
            "Your level 2 credential was blocked after too many wrong codes. Enter this code on the sign-in page to unblock it.",
        ),
        ("reenrol_authenticator", Lang::It) => (
            "Codice per il cambio di telefono",
            "hai chiesto di associare l'app di autenticazione a un nuovo telefono. Inserisci questo codice insieme a quello ricevuto per SMS.",
        ),
        ("reenrol_authenticator", Lang::En) => (
            "Code to change phone",
            "You asked to link the authenticator app to a new phone. Enter this code together with the one received by SMS.",
        ),
        (_, Lang::It) => (
            "Il tuo codice di sicurezza",
            "ecco il codice di sicurezza che hai chiesto.",
        ),
        (_, Lang::En) => (
            "Your security code",
            "Here is the security code you asked for.",
        ),
    };
    vec![
        ("purpose_title", Value::text(title)),
        ("purpose_sentence", Value::text(sentence)),
    ]
}

/// `credential_changed`: what changed, from `change`.
pub(crate) fn credential_changed(p: Params<'_>, lang: Lang) -> Vec<(&'static str, Value)> {
    let sentence = match (p.or_empty("change").as_str(), lang) {
        ("level2_enrolled", Lang::It) => {
            "hai attivato le credenziali di livello 2 con l'app di autenticazione."
        }
        ("level2_enrolled", Lang::En) => {
            "you activated level 2 credentials with the authenticator app."
        }
        ("level2_removed", Lang::It) => "hai disattivato le credenziali di livello 2.",
        ("level2_removed", Lang::En) => "you removed your level 2 credentials.",
        ("level2_reset", Lang::It) => {
            "l'app di autenticazione associata alla tua identità è stata scollegata per un cambio di telefono: il vecchio telefono non genera più codici validi. Attiva il livello 2 sul nuovo telefono dal Selfcare."
        }
        ("level2_reset", Lang::En) => {
            "the authenticator app linked to your identity was unlinked for a change of phone: the old phone no longer makes valid codes. Activate level 2 on the new phone from the Selfcare."
        }
        ("level2_blocked", Lang::It) => {
            "le credenziali di livello 2 sono state bloccate dopo 5 codici errati. Puoi sbloccarle dalla pagina di accesso del Selfcare con un codice via email o con il codice di emergenza."
        }
        ("level2_blocked", Lang::En) => {
            "your level 2 credential was blocked after 5 wrong codes. You can unblock it from the Selfcare sign-in page with a code by email or with the emergency code."
        }
        ("level2_unblocked", Lang::It) => "le credenziali di livello 2 sono state sbloccate.",
        ("level2_unblocked", Lang::En) => "your level 2 credential was unblocked.",
        ("notifications_on", Lang::It) => {
            "hai attivato le notifiche email degli accessi con la tua identità digitale."
        }
        ("notifications_on", Lang::En) => {
            "you turned on the email notices of sign-ins with your digital identity."
        }
        ("notifications_off", Lang::It) => {
            "hai disattivato le notifiche email degli accessi con la tua identità digitale."
        }
        ("notifications_off", Lang::En) => {
            "you turned off the email notices of sign-ins with your digital identity."
        }
        ("level3_key_added", Lang::It) => {
            "è stata registrata una nuova chiave di sicurezza (livello 3) per la tua identità digitale."
        }
        ("level3_key_added", Lang::En) => {
            "a new security key (level 3) was registered for your digital identity."
        }
        ("level3_key_removed", Lang::It) => {
            "è stata rimossa una chiave di sicurezza (livello 3) dalla tua identità digitale."
        }
        ("level3_key_removed", Lang::En) => {
            "a security key (level 3) was removed from your digital identity."
        }
        (_, Lang::It) => "le credenziali della tua identità digitale sono cambiate.",
        (_, Lang::En) => "the credentials of your digital identity changed.",
    };
    // A change of the notices is a setting, not a credential: its own subject.
    let title = match (p.or_empty("change").as_str(), lang) {
        ("notifications_on" | "notifications_off", Lang::It) => {
            "Notifiche degli accessi modificate"
        }
        ("notifications_on" | "notifications_off", Lang::En) => "Sign-in notices changed",
        (_, Lang::It) => "Le tue credenziali sono cambiate",
        (_, Lang::En) => "Your credentials changed",
    };
    vec![
        ("change_sentence", Value::text(sentence)),
        ("change_title", Value::text(title)),
    ]
}
