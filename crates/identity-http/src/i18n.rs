//! Page texts as Italian/English pairs: a text cannot exist in one language only,
//! and it sits beside the code that shows it.

use identity_core::Lang;

/// A text in Italian and English.
#[derive(Debug, Clone, Copy)]
pub(crate) struct L(pub &'static str, pub &'static str);

impl L {
    /// The text in `lang`.
    pub(crate) fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::It => self.0,
            Lang::En => self.1,
        }
    }
}

/// Formats a time for pages: Europe/Rome, `dd/mm/yyyy HH:MM`.
pub(crate) fn rome_time(at: chrono::DateTime<chrono::Utc>) -> String {
    identity_core::calendar::in_rome(at)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}
