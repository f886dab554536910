//! The message templates, Italian and English. Parameters are substituted by
//! name (`{login_id}`); times are shown in Europe/Rome.

use chrono::DateTime;
use identity_core::Lang;
use identity_core::identity::{RevocationCause, SuspensionReason};
use serde_json::Value;

use crate::RenderError;

/// Every template name.
pub const TEMPLATES: [&str; 2] = ["registration_confirmed", "identity_state_changed"];

fn param<'a>(template: &str, params: &'a Value, name: &str) -> Result<&'a str, RenderError> {
    params
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| RenderError::MissingParam {
            template: template.to_owned(),
            param: name.to_owned(),
        })
}

fn rome_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono_tz::Europe::Rome)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn greeting(lang: Lang, name: &str) -> String {
    match lang {
        Lang::It => format!("Gentile {name},"),
        Lang::En => format!("Dear {name},"),
    }
}

fn signature(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "\n\nQuesto messaggio è stato inviato automaticamente, non rispondere.\n",
        Lang::En => "\n\nThis message was sent automatically; please do not reply.\n",
    }
}

pub(crate) fn render(
    template: &str,
    lang: Lang,
    p: &Value,
) -> Result<(String, String), RenderError> {
    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
    let (subject, body) = match template {
        "registration_confirmed" => {
            let login = param(template, p, "login_id")?;
            match lang {
                Lang::It => (
                    "Registrazione completata".to_owned(),
                    format!(
                        "la registrazione è stata completata.\n\nLa tua login è: {login}\n\nUsala con la password \
                         che hai scelto nel modulo di registrazione. Non ti invieremo mai la password per email."
                    ),
                ),
                Lang::En => (
                    "Registration confirmed".to_owned(),
                    format!(
                        "your registration is complete.\n\nYour login id is: {login}\n\nUse it with the password \
                         you chose on the registration form. We will never send your password by email."
                    ),
                ),
            }
        }
        "identity_state_changed" => {
            let event = param(template, p, "event")?;
            let at = rome_time(param(template, p, "at")?);
            let reason = p
                .get("reason")
                .and_then(Value::as_str)
                .and_then(SuspensionReason::from_code);
            let cause = p
                .get("cause")
                .and_then(Value::as_str)
                .and_then(RevocationCause::from_code);
            let deadline = p.get("deadline").and_then(Value::as_str).map(rome_time);
            identity_change(lang, event, &at, reason, cause, deadline.as_deref())
        }
        other => return Err(RenderError::UnknownTemplate(other.to_owned())),
    };
    Ok((
        subject,
        format!("{}\n\n{body}{}", greeting(lang, name), signature(lang)),
    ))
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML alternative: the text's paragraphs, escaped, in a plain layout that
/// reads well in any mail client (no images, no external resources).
pub(crate) fn html(lang: Lang, subject: &str, text: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>\n", escape(p.trim()).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40rem\">\n\
         <h1 style=\"font-size: 1.25rem; color: #0047ab\">{title}</h1>\n{paragraphs}</body>\n</html>\n",
        title = escape(subject),
    )
}

fn identity_change(
    lang: Lang,
    event: &str,
    at: &str,
    reason: Option<SuspensionReason>,
    cause: Option<RevocationCause>,
    deadline: Option<&str>,
) -> (String, String) {
    let it = lang == Lang::It;
    let (subject, mut body) = match event {
        "identity.requested" if it => (
            "Richiesta di identità digitale ricevuta",
            format!(
                "il {at} abbiamo ricevuto la tua richiesta di identità digitale. Per attivarla occorre il riconoscimento."
            ),
        ),
        "identity.requested" => (
            "Digital identity request received",
            format!(
                "on {at} we received your digital identity request. It becomes active once your identity is verified."
            ),
        ),
        "identity.verified" if it => (
            "Identità digitale attiva",
            format!(
                "il {at} il riconoscimento è stato completato: la tua identità digitale è attiva."
            ),
        ),
        "identity.verified" => (
            "Digital identity active",
            format!("on {at} your identity was verified: your digital identity is active."),
        ),
        "identity.suspended" if it => (
            "Identità digitale sospesa",
            format!("il {at} la tua identità digitale è stata sospesa"),
        ),
        "identity.suspended" => (
            "Digital identity suspended",
            format!("on {at} your digital identity was suspended"),
        ),
        "identity.reactivated" if it => (
            "Identità digitale riattivata",
            format!("il {at} la tua identità digitale è stata riattivata."),
        ),
        "identity.reactivated" => (
            "Digital identity reactivated",
            format!("on {at} your digital identity was reactivated."),
        ),
        "identity.revoked" if it => (
            "Identità digitale revocata",
            format!("il {at} la tua identità digitale è stata revocata"),
        ),
        "identity.revoked" => (
            "Digital identity revoked",
            format!("on {at} your digital identity was revoked"),
        ),
        _ if it => (
            "Aggiornamento della tua identità digitale",
            format!("il {at} la tua identità digitale è stata aggiornata."),
        ),
        _ => (
            "Your digital identity was updated",
            format!("on {at} your digital identity was updated."),
        ),
    };
    if let Some(r) = reason {
        body.push_str(&format!(" ({}).", r.label(lang)));
        if let Some(d) = deadline {
            body.push_str(&if it {
                format!(" Senza una riattivazione entro il {d} resterà sospesa o sarà revocata secondo le regole SPID.")
            } else {
                format!(" Unless it is reactivated by {d} it stays suspended or is revoked under the SPID rules.")
            });
        }
    }
    if let Some(c) = cause {
        body.push_str(&format!(" ({}). ", c.label(lang)));
        body.push_str(if it {
            "La revoca è definitiva."
        } else {
            "Revocation is final."
        });
    }
    (subject.to_owned(), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_renders_in_every_language() {
        let params = json!({
            "name": "Mario Rossi", "login_id": "123456@example.it", "event": "identity.suspended",
            "at": "2026-03-01T10:00:00+00:00", "reason": "holder_request", "deadline": "2026-03-31T21:59:59+00:00",
        });
        for t in TEMPLATES {
            for lang in crate::LANGUAGES {
                let (subject, body) = render(t, lang, &params).unwrap();
                assert!(!subject.is_empty());
                assert!(body.contains("Mario Rossi"), "{t} {lang}");
            }
        }
    }

    #[test]
    fn times_are_shown_in_rome_and_passwords_never_appear() {
        let p = json!({ "name": "M", "event": "identity.suspended", "at": "2026-03-01T10:00:00Z",
                        "reason": "emergency_block", "deadline": "2026-03-31T21:59:59Z" });
        let (_, body) = render("identity_state_changed", Lang::It, &p).unwrap();
        assert!(body.contains("01/03/2026 11:00"), "{body}");
        assert!(body.contains("31/03/2026 23:59"), "{body}");
        assert!(body.contains("blocco di emergenza"));
        let (_, body) = render(
            "registration_confirmed",
            Lang::En,
            &json!({"name": "M", "login_id": "1@x.it"}),
        )
        .unwrap();
        assert!(body.contains("1@x.it"));
        assert!(!body.to_lowercase().contains("password:"));
    }

    #[test]
    fn html_is_escaped_and_keeps_the_paragraphs() {
        let page = html(
            Lang::It,
            "Oggetto <b>",
            "Riga 1\nRiga 2\n\n<script>x</script> & co",
        );
        assert!(page.contains("<html lang=\"it\">"));
        assert!(page.contains("<title>Oggetto &lt;b&gt;</title>"));
        assert!(page.contains("<p>Riga 1<br>\nRiga 2</p>"));
        assert!(page.contains("<p>&lt;script&gt;x&lt;/script&gt; &amp; co</p>"));
    }

    #[test]
    fn missing_parameters_and_unknown_templates_are_errors() {
        assert!(matches!(
            render("registration_confirmed", Lang::It, &json!({})),
            Err(RenderError::MissingParam { .. })
        ));
        assert!(matches!(
            render("nope", Lang::It, &json!({})),
            Err(RenderError::UnknownTemplate(_))
        ));
    }
}
