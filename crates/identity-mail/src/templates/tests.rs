//! Tests of the template files and their rendering.

use identity_words::L;
use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value as Json, json};

use super::*;
use crate::LANGUAGES;
use crate::engine::placeholders;

/// Sample parameters for every template, name included.
pub(crate) fn sample(template: &str) -> Json {
    let mut p = match template {
        "registration_confirmed" | "password_reset_code" => json!({
            "login_id": "123456@identita.example.it", "code": "K7P-4QX-9ZD",
            "link": "https://identita.example.it/verify?code=K7P-4QX-9ZD&x=1",
        }),
        "verify_email" => json!({
            "code": "AB12CD", "link": "https://identita.example.it/account/email?code=AB12CD",
            "change": true,
        }),
        "login_deleted" | "password_reset_identity" => {
            json!({ "login_id": "654321@identita.example.it" })
        }
        "login_created" => json!({
            "login_id": "654321@identita.example.it",
            "link": "https://identita.example.it/account/reset-password?code=K7P",
        }),
        "login_ids_reminder" => {
            json!({ "login_ids": "111111@identita.example.it\n222222@identita.example.it" })
        }
        "data_changed" => json!({
            "fields": "email, phone, pec, address", "at": "2026-07-01T08:30:00Z",
            "new_email": "nuovo@example.it",
        }),
        "correction_decided" => json!({
            "field": "given_name", "value": "Mario Luigi", "decision": "rejected",
            "reason": "Il documento allegato non è leggibile",
        }),
        "password_changed" => {
            json!({ "login_id": "123456@identita.example.it", "at": "2026-01-15T17:05:00Z" })
        }
        "account_closed" => {
            json!({ "login_ids": "111111@identita.example.it, 222222@identita.example.it" })
        }
        "identity_state_changed" => json!({
            "event": "identity.suspended", "at": "2026-03-01T10:00:00+00:00",
            "reason": "holder_request", "deadline": "2026-03-31T21:59:59+00:00",
        }),
        "emergency_code_half" => json!({ "code": "7K2M-9QXA", "at": "2026-03-01T10:00:00Z" }),
        "security_code" => json!({ "purpose": "emergency_block", "code": "K7P4-QX9Z-D2M8-ABCD" }),
        "identity_username" => json!({ "login_id": "123456@identita.example.it" }),
        "access_notification" => json!({
            "at": "2026-03-01T10:00:00Z", "service": "selfcare", "level": 2, "client_ip": "192.0.2.7",
        }),
        "credential_changed" => {
            json!({ "change": "level2_enrolled", "at": "2026-03-01T10:00:00Z" })
        }
        "identity_inactivity_notice" => json!({
            "login_id": "123456@identita.example.it", "days": 30,
            "revoke_at": "2027-03-01T22:59:59Z", "link": "https://identita.example.it/selfcare",
        }),
        "password_expiry_warning" => json!({
            "login_id": "123456@identita.example.it", "days": 7,
            "expires_at": "2027-03-01T22:59:59Z", "link": "https://identita.example.it/account",
        }),
        other => panic!("no sample for {other}"),
    };
    p["name"] = json!("Mario Rossi");
    p
}

fn greeting(lang: Lang) -> &'static str {
    L("Gentile ", "Dear ").get(lang)
}

fn signature(lang: Lang) -> &'static str {
    L(
        "Questo messaggio è stato inviato automaticamente, non rispondere.\n",
        "This message was sent automatically; please do not reply.\n",
    )
    .get(lang)
}

/// Renders, or fails the test.
pub(crate) fn ok(template: &str, lang: Lang, params: &Json) -> Rendered {
    render(template, lang, params).unwrap_or_else(|e| panic!("{template} {lang}: {e}"))
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn every_template_directory_has_its_six_files_and_nothing_else() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let on_disk = entries(&root);
    let mut declared: Vec<String> = TEMPLATES.iter().map(|t| (*t).to_owned()).collect();
    declared.push("_layout".to_owned());
    declared.sort();
    assert_eq!(
        on_disk, declared,
        "one folder per template, no stray folders"
    );
    for t in TEMPLATES {
        for lang in LANGUAGES {
            assert_eq!(
                entries(&root.join(t).join(lang.code())),
                ["body.html", "body.txt", "subject.txt"],
                "{t} {lang}"
            );
        }
    }
    assert_eq!(
        entries(&root.join("_layout")),
        ["layout.html", "layout.txt"]
    );
}

#[test]
fn bodies_leave_the_document_greeting_and_signature_to_the_layout() {
    for t in TABLE {
        for lang in LANGUAGES {
            let files = t.files(lang);
            for (file, source) in [("body.txt", files.text), ("body.html", files.html)] {
                let what = format!("{}/{lang}/{file}", t.name);
                for part in ["<!doctype", "<html", "<body", "</html>", "{name},"] {
                    assert!(!source.contains(part), "{what}: {part}");
                }
                assert!(!source.contains(template_texts::signature(lang)), "{what}");
            }
        }
    }
}

#[test]
fn every_placeholder_is_a_known_parameter_and_every_derived_one_is_used() {
    let layout_params = ["subject", "lang", "greeting", "signature", "body"];
    for (file, source) in [("layout.txt", LAYOUT_TEXT), ("layout.html", LAYOUT_HTML)] {
        for p in placeholders(source) {
            assert!(
                layout_params.contains(&p),
                "_layout/{file}: unknown {{{p}}}"
            );
        }
        let body_lines = source.lines().filter(|l| *l == "{body}").count();
        let bodies = placeholders(source)
            .iter()
            .filter(|p| **p == "body")
            .count();
        assert_eq!(
            (body_lines, bodies),
            (1, 1),
            "_layout/{file}: one {{body}} line"
        );
    }
    for t in TABLE {
        let params: BTreeSet<&str> = ["name"]
            .iter()
            .chain(t.required)
            .chain(t.optional)
            .chain(t.derived)
            .copied()
            .collect();
        for lang in LANGUAGES {
            let files = t.files(lang);
            let mut used = BTreeSet::new();
            for (file, source) in [
                ("subject.txt", files.subject),
                ("body.txt", files.text),
                ("body.html", files.html),
            ] {
                for p in placeholders(source) {
                    let known = params.contains(p) || (p == "subject" && file != "subject.txt");
                    assert!(known, "{}/{lang}/{file}: unknown {{{p}}}", t.name);
                    used.insert(p);
                }
            }
            for d in t.derived {
                assert!(used.contains(d), "{}/{lang}: {{{d}}} is never used", t.name);
            }
        }
    }
}

#[test]
fn derive_returns_exactly_the_declared_names() {
    for t in TABLE {
        for lang in LANGUAGES {
            for params in [sample(t.name), json!({})] {
                let names: Vec<&str> = (t.derive)(Params(&params), lang)
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect();
                assert_eq!(names, t.derived, "{} {lang}", t.name);
            }
        }
    }
}

#[test]
fn every_template_renders_in_both_languages_with_its_parameters() {
    for t in TABLE {
        let params = sample(t.name);
        for lang in LANGUAGES {
            let r = ok(t.name, lang, &params);
            let what = format!("{} {lang}", t.name);
            assert!(
                !r.subject.trim().is_empty() && !r.subject.contains('\n'),
                "{what}"
            );
            assert!(!r.subject.contains('{'), "{what}: {}", r.subject);
            let greeting = format!("{}Mario Rossi,\n\n", greeting(lang));
            assert!(r.text.starts_with(&greeting), "{what}: {}", r.text);
            assert!(r.text.ends_with(signature(lang)), "{what}: {}", r.text);
            assert!(!r.text.contains("\n\n\n"), "{what}: {}", r.text);
            assert!(
                r.html.contains(&format!(
                    "<p style=\"margin: 0 0 16px;\">{greeting}",
                    greeting = greeting.trim_end()
                )),
                "{what}"
            );
            assert!(r.html.contains(signature(lang).trim_end()), "{what}");
            for body in [&r.text, &r.html] {
                assert!(placeholders(body).is_empty(), "{what}: left over {body}");
                assert!(!body.to_lowercase().contains("password:"), "{what}");
            }
            for p in t.required {
                let value = params[p].as_str().map(str::to_owned).unwrap_or_default();
                let shown = if t.times.contains(p) {
                    template_texts::rome_time(&value)
                } else {
                    value
                };
                let files = t.files(lang);
                if placeholders(files.text).contains(p) {
                    assert!(r.text.contains(&shown), "{what}: {p} = {shown}\n{}", r.text);
                }
                if placeholders(files.html).contains(p) {
                    let escaped = engine::escape(&shown);
                    assert!(r.html.contains(&escaped), "{what}: {p} = {escaped}");
                }
            }
        }
    }
}

#[test]
fn html_is_a_small_self_contained_accessible_document() {
    for t in TEMPLATES {
        for lang in LANGUAGES {
            let r = ok(t, lang, &sample(t));
            let html = &r.html;
            assert!(html.starts_with("<!doctype html>\n"), "{t} {lang}");
            assert!(
                html.contains(&format!("<html lang=\"{lang}\">")),
                "{t} {lang}"
            );
            assert!(html.contains("<meta charset=\"utf-8\">"), "{t} {lang}");
            let title = format!("<title>{}</title>", engine::escape(&r.subject));
            assert!(html.contains(&title), "{t} {lang}");
            assert!(html.contains("#0047ab"), "{t} {lang}");
            assert!(html.trim_end().ends_with("</html>"), "{t} {lang}");
            for banned in ["<img", "<link", "<style", "<script", "src=", "url("] {
                assert!(!html.contains(banned), "{t} {lang}: {banned}");
            }
        }
    }
}

#[test]
fn parameters_are_escaped_in_html_and_raw_in_text() {
    let mut params = sample("login_created");
    params["login_id"] = json!("<script>alert('x')</script>");
    params["name"] = json!("Rossi & Figli <S.r.l.>");
    for lang in LANGUAGES {
        let r = ok("login_created", lang, &params);
        assert!(r.text.contains("<script>alert('x')</script>"), "{}", r.text);
        assert!(r.text.contains("Rossi & Figli <S.r.l.>,"));
        assert!(
            r.html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        );
        assert!(r.html.contains("Rossi &amp; Figli &lt;S.r.l.&gt;,"));
        assert!(!r.html.contains("<script>"), "{}", r.html);
    }
    let r = ok(
        "registration_confirmed",
        Lang::It,
        &sample("registration_confirmed"),
    );
    assert!(
        r.html
            .contains("href=\"https://identita.example.it/verify?code=K7P-4QX-9ZD&amp;x=1\"")
    );
    assert!(
        r.text
            .contains("\nhttps://identita.example.it/verify?code=K7P-4QX-9ZD&x=1\n")
    );
}

#[test]
fn missing_required_parameters_are_errors() {
    for t in TABLE {
        for p in t.required {
            let mut params = sample(t.name);
            params.as_object_mut().unwrap().remove(*p);
            assert_eq!(
                render(t.name, Lang::It, &params),
                Err(RenderError::MissingParam {
                    template: t.name.to_owned(),
                    param: (*p).to_owned()
                })
            );
        }
    }
}

#[test]
fn unknown_templates_are_errors_also_through_the_public_render() {
    assert_eq!(
        render("nope", Lang::It, &json!({})),
        Err(RenderError::UnknownTemplate("nope".to_owned()))
    );
    let message = identity_service::OutboxMessage {
        id: uuid::Uuid::nil(),
        created_at: chrono::DateTime::UNIX_EPOCH,
        to: "mario.rossi@example.it".to_owned(),
        lang: Lang::En,
        template: "password_changed".to_owned(),
        params: sample("password_changed"),
        status: identity_service::OutboxStatus::Pending,
        attempts: 0,
        last_error: None,
    };
    let mail = crate::render(&message).unwrap();
    assert_eq!(mail.subject, "Your password was changed");
    assert_eq!(mail.to, "mario.rossi@example.it");
    assert!(mail.html.contains("<html lang=\"en\">"));
    let unknown = identity_service::OutboxMessage {
        template: "nope".to_owned(),
        ..message
    };
    assert!(matches!(
        crate::render(&unknown),
        Err(RenderError::UnknownTemplate(_))
    ));
}

#[test]
fn a_change_of_the_sign_in_notices_is_not_titled_a_credential_change() {
    let notices = ok(
        "credential_changed",
        Lang::It,
        &serde_json::json!({ "change": "notifications_on", "at": "2026-11-24T10:00:00Z" }),
    );
    assert_eq!(notices.subject, "Notifiche degli accessi modificate");
    let credential = ok(
        "credential_changed",
        Lang::En,
        &serde_json::json!({ "change": "level2_enrolled", "at": "2026-11-24T10:00:00Z" }),
    );
    assert_eq!(credential.subject, "Your credentials changed");
}
