//! The languages the system speaks: a holder's preferred language is part of its
//! data (mail follows it). The words themselves are chosen where they are shown
//! (the `identity-words` crate), not here: the domain's outcomes are codes.

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
