//! The texts of the page frame (header, footer, form furniture), as the
//! templates read them (`c.t.service_name`), picked from their [`L`] pairs.

use identity_core::Lang;
use identity_words::L;

/// The frame's texts in one language.
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

/// The texts of `lang`.
#[must_use]
pub fn texts(lang: Lang) -> Texts {
    Texts {
        code: lang.code(),
        service_name: L("Identità digitale", "Digital identity").get(lang),
        skip_link: L("Vai al contenuto", "Skip to content").get(lang),
        // The switch names the other language in that language.
        other_language: L("English", "Italiano").get(lang),
        other_code: L("en", "it").get(lang),
        top_nav: L("Lingua e account", "Language and account").get(lang),
        sign_out_button: L("Esci", "Sign out").get(lang),
        privacy_notice: L("Informativa sulla privacy", "Privacy notice").get(lang),
        optional: L("(facoltativo)", "(optional)").get(lang),
        fix_errors: L("Controlla i dati indicati:", "Please check the following:").get(lang),
    }
}
