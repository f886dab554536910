//! The texts of the page frame (header, footer, form furniture), one struct per
//! language: a text missing in one language is a compile error, not a blank on
//! the page. Texts of single pages are [`crate::i18n::L`] pairs beside their code.

use identity_core::Lang;

/// The frame's texts.
#[derive(Debug)]
pub struct Texts {
    /// The `lang` attribute.
    pub code: &'static str,
    /// Name of the service, in the header.
    pub service_name: &'static str,
    /// "Skip to content" link for keyboard users.
    pub skip_link: &'static str,
    /// The language switch: the other language, in that language.
    pub other_language: &'static str,
    /// Its code.
    pub other_code: &'static str,
    /// Label of the header's navigation.
    pub top_nav: &'static str,
    /// Sign-out button.
    pub sign_out_button: &'static str,
    /// Footer link to the privacy notice.
    pub privacy_notice: &'static str,
    /// Marks an optional field.
    pub optional: &'static str,
    /// Heading of the error summary.
    pub fix_errors: &'static str,
}

const IT: Texts = Texts {
    code: "it",
    service_name: "Identità digitale",
    skip_link: "Vai al contenuto",
    other_language: "English",
    other_code: "en",
    top_nav: "Lingua e account",
    sign_out_button: "Esci",
    privacy_notice: "Informativa sulla privacy",
    optional: "(facoltativo)",
    fix_errors: "Controlla i dati indicati:",
};

const EN: Texts = Texts {
    code: "en",
    service_name: "Digital identity",
    skip_link: "Skip to content",
    other_language: "Italiano",
    other_code: "it",
    top_nav: "Language and account",
    sign_out_button: "Sign out",
    privacy_notice: "Privacy notice",
    optional: "(optional)",
    fix_errors: "Please check the following:",
};

/// The texts of `lang`.
#[must_use]
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::It => &IT,
        Lang::En => &EN,
    }
}
