//! The message templates: one folder per message and language under the crate's
//! `templates/` directory (`<template>/<lang>/subject.txt`, `body.txt`,
//! `body.html`), embedded at compile time and filled by [`crate::engine`].
//!
//! A body holds only what its message says: the layout
//! (`templates/_layout/layout.txt` and `layout.html`, one for all messages and
//! languages) wraps it in the document, the title, the greeting and the
//! signature. The layout uses `{subject}`, `{lang}`, `{greeting}` and
//! `{signature}`, and `{body}` on a line of its own where the body goes.
//!
//! Every file can use `{name}` (the holder's name, or a neutral word when it is
//! missing) and the template's parameters below; body files can also use
//! `{subject}`. Required parameters must be in the message, optional ones may be
//! absent (they are then empty), time parameters (RFC 3339) are shown in
//! Europe/Rome as `dd/mm/yyyy HH:MM`, and derived parameters are computed in
//! [`crate::template_texts`] where the text must vary.

use identity_core::Lang;
use identity_words::L;
use serde_json::Value as Json;

use crate::RenderError;
use crate::engine::{self, Context, Mode, Value};
use crate::template_texts::{self, Derive, Params};

/// The text layout, around every `body.txt`.
pub(crate) const LAYOUT_TEXT: &str = include_str!("../../templates/_layout/layout.txt");

/// The HTML layout, around every `body.html`.
pub(crate) const LAYOUT_HTML: &str = include_str!("../../templates/_layout/layout.html");

/// One language's files of a template.
pub(crate) struct Files {
    /// `subject.txt`.
    pub(crate) subject: &'static str,
    /// `body.txt`.
    pub(crate) text: &'static str,
    /// `body.html`.
    pub(crate) html: &'static str,
}

/// A template: its files and the parameters they use.
pub(crate) struct Template {
    /// The name, which is also its folder.
    pub(crate) name: &'static str,
    /// Parameters the message must carry.
    pub(crate) required: &'static [&'static str],
    /// Parameters that may be absent.
    pub(crate) optional: &'static [&'static str],
    /// Parameters (required or optional) that are RFC 3339 times.
    pub(crate) times: &'static [&'static str],
    /// Parameters computed by `derive`.
    pub(crate) derived: &'static [&'static str],
    /// Computes the derived parameters.
    pub(crate) derive: Derive,
    /// Italian files.
    pub(crate) it: Files,
    /// English files.
    pub(crate) en: Files,
}

impl Template {
    /// The files in `lang`.
    pub(crate) fn files(&self, lang: Lang) -> &Files {
        L(&self.it, &self.en).get(lang)
    }
}

/// The three files of `$name` in `$lang`, embedded.
macro_rules! files {
    ($name:ident, $lang:literal) => {
        Files {
            subject: include_str!(concat!(
                "../../templates/",
                stringify!($name),
                "/",
                $lang,
                "/subject.txt"
            )),
            text: include_str!(concat!(
                "../../templates/",
                stringify!($name),
                "/",
                $lang,
                "/body.txt"
            )),
            html: include_str!(concat!(
                "../../templates/",
                stringify!($name),
                "/",
                $lang,
                "/body.html"
            )),
        }
    };
}

/// Declares the table of templates and [`TEMPLATES`], their names.
macro_rules! templates {
    ($(
        $name:ident {
            required: [$($required:literal),*],
            optional: [$($optional:literal),*],
            times: [$($time:literal),*],
            derived: [$($derived:literal),*] by $derive:path $(,)?
        }
    ),* $(,)?) => {
        /// Every template name, as used in outbox messages.
        pub const TEMPLATES: [&str; [$(stringify!($name)),*].len()] = [$(stringify!($name)),*];

        /// Every template.
        pub(crate) static TABLE: &[Template] = &[$(
            Template {
                name: stringify!($name),
                required: &[$($required),*],
                optional: &[$($optional),*],
                times: &[$($time),*],
                derived: &[$($derived),*],
                derive: $derive,
                it: files!($name, "it"),
                en: files!($name, "en"),
            }
        ),*];
    };
}

templates! {
    registration_confirmed {
        required: ["login_id", "code", "link"], optional: [], times: [],
        derived: [] by template_texts::none
    },
    verify_email {
        required: ["code", "link", "change"], optional: [], times: [],
        derived: ["purpose_sentence"] by template_texts::verify_email
    },
    login_created {
        required: ["login_id"], optional: ["link"], times: [],
        derived: [] by template_texts::none
    },
    login_ids_reminder {
        required: ["login_ids"], optional: [], times: [],
        derived: ["login_id_list"] by template_texts::login_ids_reminder
    },
    password_reset_code {
        required: ["login_id", "code", "link"], optional: [], times: [],
        derived: [] by template_texts::none
    },
    password_reset_identity {
        required: ["login_id"], optional: [], times: [],
        derived: [] by template_texts::none
    },
    data_changed {
        required: ["fields", "at"], optional: ["new_email"], times: ["at"],
        derived: ["field_list", "new_email_sentence"] by template_texts::data_changed
    },
    correction_decided {
        required: ["field", "value", "decision"], optional: ["reason"], times: [],
        derived: ["field_label", "outcome", "decision_sentence", "reason_sentence"]
            by template_texts::correction_decided
    },
    password_changed {
        required: ["login_id", "at"], optional: [], times: ["at"],
        derived: [] by template_texts::none
    },
    login_deleted {
        required: ["login_id"], optional: [], times: [],
        derived: [] by template_texts::none
    },
    account_closed {
        required: ["login_ids"], optional: [], times: [],
        derived: ["login_id_list"] by template_texts::account_closed
    },
    identity_state_changed {
        required: ["event", "at"], optional: ["reason", "cause", "deadline"],
        times: ["at", "deadline"],
        derived: ["event_title", "event_sentence", "deadline_sentence", "revocation_sentence"]
            by template_texts::identity_state_changed
    },
    emergency_code_half {
        required: ["code", "at"], optional: [], times: ["at"],
        derived: [] by template_texts::none
    },
    security_code {
        required: ["purpose", "code"], optional: [], times: [],
        derived: ["purpose_title", "purpose_sentence"] by template_texts::security_code
    },
    identity_username {
        required: ["login_id"], optional: [], times: [],
        derived: [] by template_texts::none
    },
    access_notification {
        required: ["at", "service", "level"], optional: ["client_ip"], times: ["at"],
        derived: [] by template_texts::none
    },
    credential_changed {
        required: ["change", "at"], optional: [], times: ["at"],
        derived: ["change_sentence", "change_title"] by template_texts::credential_changed
    },
    identity_inactivity_notice {
        required: ["login_id", "days", "revoke_at", "link"], optional: [], times: ["revoke_at"],
        derived: [] by template_texts::none
    },
    password_expiry_warning {
        required: ["login_id", "days", "expires_at", "link"], optional: [], times: ["expires_at"],
        derived: [] by template_texts::none
    },
}

/// The template called `name`.
pub(crate) fn find(name: &str) -> Option<&'static Template> {
    TABLE.iter().find(|t| t.name == name)
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// One line.
    pub(crate) subject: String,
    /// From `body.txt` in the text layout.
    pub(crate) text: String,
    /// From `body.html` in the HTML layout.
    pub(crate) html: String,
}

/// Renders `template` in `lang` with the message's parameters.
pub(crate) fn render(template: &str, lang: Lang, params: &Json) -> Result<Rendered, RenderError> {
    let t = find(template).ok_or_else(|| RenderError::UnknownTemplate(template.to_owned()))?;
    let missing = |param: String| RenderError::MissingParam {
        template: t.name.to_owned(),
        param,
    };
    let p = Params(params);
    let mut context = Context::default();
    context.set("name", Value::Text(template_texts::greeting_name(p, lang)));
    for &name in t.required {
        let value = p.text(name).ok_or_else(|| missing(name.to_owned()))?;
        context.set(name, Value::Text(value));
    }
    for &name in t.optional {
        context.set(name, Value::Text(p.text(name).unwrap_or_default()));
    }
    for &name in t.times {
        if let Some(Value::Text(time)) = context.get(name) {
            let shown = template_texts::rome_time(time);
            context.set(name, Value::Text(shown));
        }
    }
    let derived = (t.derive)(p, lang);
    debug_assert!(
        derived
            .iter()
            .map(|(n, _)| *n)
            .eq(t.derived.iter().copied()),
        "{}: derive must return the declared names",
        t.name
    );
    for (name, value) in derived {
        context.set(name, value);
    }
    let files = t.files(lang);
    let subject = engine::fill(files.subject, Mode::Text, &context).map_err(missing)?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    context.set("subject", Value::Text(subject.clone()));
    context.set("lang", Value::text(lang.code()));
    context.set("greeting", Value::Text(template_texts::greeting(p, lang)));
    context.set("signature", Value::text(template_texts::signature(lang)));
    let text = engine::wrap(LAYOUT_TEXT, files.text);
    let html = engine::wrap(LAYOUT_HTML, files.html);
    Ok(Rendered {
        subject,
        text: engine::fill(&text, Mode::Text, &context).map_err(missing)?,
        html: engine::fill(&html, Mode::Html, &context).map_err(missing)?,
    })
}

#[cfg(test)]
pub(crate) mod tests;
