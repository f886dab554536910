//! # identity-words
//!
//! The words the system shows, in Italian (the default) and English. The domain
//! (`identity-core`) and the use cases (`identity-service`) answer with codes:
//! error variants and enums such as `TaxCodeError::WrongCheckCharacter` or
//! `SuspensionReason::SuspectedFraud`. This crate gives them their words, once,
//! for every place that shows them: the pages and the JSON API
//! (`identity-http`), the mail (`identity-mail`) and the operator CLI (in
//! English).
//!
//! One mechanism:
//!
//! - [`L`] is a text in both languages, `L("Nome", "Given name")`; with values in
//!   it, `L(format!(..), format!(..))`. [`L::get`] picks one.
//! - [`Label`] names a thing (a state, a reason, a field): `reason.label().get(lang)`.
//! - [`Words`] explains an outcome in a sentence or two, beside a form field or on
//!   a page: `error.words(lang)`.
//!
//! A text missing in one language does not compile.

#![deny(missing_docs)]

mod cases;
mod credentials;
mod forms;
mod identity;
mod outcomes;
mod people;
mod values;

pub use forms::FIX_FIELDS;
pub use identity_core::Lang;
pub use outcomes::{BUSY, HOLDER_NOT_FOUND, PHONE_CODE_REFUSED, TEMPORARY, TOO_MANY_CODES};

/// A text in Italian (`.0`) and English (`.1`). `T` is `&'static str` for
/// fixed texts and `String` for texts with values in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct L<T = &'static str>(pub T, pub T);

impl<T> L<T> {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> T {
        match lang {
            Lang::It => self.0,
            Lang::En => self.1,
        }
    }
}

impl L<&'static str> {
    /// The text in `lang`, owned.
    #[must_use]
    pub fn text(self, lang: Lang) -> String {
        self.get(lang).to_owned()
    }
}

/// The name of a thing, as shown to people (a state, a reason, a field, a kind).
pub trait Label {
    /// The name in both languages.
    fn label(&self) -> L;
}

/// An outcome explained to people, in one or two sentences that can stand beside
/// a form field or on a page.
pub trait Words {
    /// The explanation in `lang`.
    fn words(&self, lang: Lang) -> String;
}

impl Words for L<&'static str> {
    fn words(&self, lang: Lang) -> String {
        self.text(lang)
    }
}

/// The explanations of several outcomes, one after the other.
pub fn joined<W: Words>(outcomes: &[W], lang: Lang) -> String {
    outcomes
        .iter()
        .map(|o| o.words(lang))
        .collect::<Vec<_>>()
        .join(" ")
}
