//! Renders every mail template in every language with sample parameters, to
//! read the texts or open the HTML in a browser:
//!
//! ```text
//! cargo run -p identity-mail --example preview -- /tmp/mail-preview
//! ```
//!
//! Writes `<template>.<lang>.txt` (subject, blank line, text body) and
//! `<template>.<lang>.html` into the directory (default `mail-preview`).

use chrono::Utc;
use identity_mail::{LANGUAGES, TEMPLATES, render};
use identity_service::{OutboxMessage, OutboxStatus};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "mail-preview".to_owned());
    std::fs::create_dir_all(&dir)?;
    let params = json!({
        "name": "Mario Rossi",
        "login_id": "123456@identita.example.it",
        "login_ids": "123456@identita.example.it, 654321@identita.example.it",
        "code": "K7P4QX",
        "link": "https://identita.example.it/account/verify?code=K7P4QX",
        "change": true,
        "fields": "email, phone",
        "new_email": "mario.rossi@example.it",
        "at": "2026-03-01T10:00:00Z",
        "field": "given_name",
        "value": "Mario Luigi",
        "decision": "rejected",
        "reason": "Il documento allegato non è leggibile.",
        "event": "identity.suspended",
        "deadline": "2026-03-31T21:59:59Z",
    });
    for template in TEMPLATES {
        for lang in LANGUAGES {
            let mut params = params.clone();
            if template == "identity_state_changed" {
                params["reason"] = json!("suspected_fraud");
            }
            let message = OutboxMessage {
                id: uuid::Uuid::nil(),
                created_at: Utc::now(),
                to: "mario.rossi@example.it".to_owned(),
                lang,
                template: template.to_owned(),
                params,
                status: OutboxStatus::Pending,
                attempts: 0,
                last_error: None,
            };
            let mail = render(&message)?;
            let base = format!("{dir}/{template}.{lang}");
            std::fs::write(
                format!("{base}.txt"),
                format!("{}\n\n{}", mail.subject, mail.text),
            )?;
            std::fs::write(format!("{base}.html"), mail.html)?;
        }
    }
    println!("written to {dir}/");
    Ok(())
}
