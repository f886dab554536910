//! Languages the system speaks and the trait every user-facing error implements.
//!
//! Core errors carry no presentation, but they must be explainable beside a form
//! field in the user's language, so each error type can render itself in Italian
//! (the default) and English.

use std::fmt;

/// A language of the user interface and of outgoing mail.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// The ISO 639-1 code (`it`, `en`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code or a language tag such as `en-GB`; `None` when unsupported.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Something that can explain itself to a user in a given language.
pub trait Localized {
    /// The message in `lang`, one or two sentences, suitable to show beside a form field.
    fn message(&self, lang: Lang) -> String;
}

/// Picks the Italian or English text; keeps `Localized` impls short and readable.
#[must_use]
pub fn pick(lang: Lang, it: String, en: String) -> String {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_recognised() {
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("IT"), Some(Lang::It));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }
}
