//! Words for input fields: the form rules that have no error type of their own,
//! and every [`FieldProblem`] a form or the API reports beside a field.

use identity_service::forms::{FieldProblem, InputRule};

use crate::{L, Lang, Words, joined};

/// The summary of a form sent back with field errors.
pub const FIX_FIELDS: L = L(
    "Alcuni dati non sono corretti: correggi i campi indicati.",
    "Some data is not right: please fix the fields shown.",
);

impl Words for InputRule {
    fn words(&self, lang: Lang) -> String {
        match self {
            InputRule::Required => L("Campo obbligatorio.", "This field is required.").text(lang),
            InputRule::PasswordsDiffer => L(
                "Le due password non coincidono.",
                "The two passwords do not match.",
            )
            .text(lang),
            InputRule::EmailsDiffer => L(
                "I due indirizzi email non coincidono.",
                "The two email addresses do not match.",
            )
            .text(lang),
            InputRule::DateFormat => L(
                "Indica la data nel formato gg/mm/aaaa.",
                "Enter the date as dd/mm/yyyy.",
            )
            .text(lang),
            InputRule::Sex => L("Indica il sesso (M o F).", "Choose the sex (M or F).").text(lang),
            InputRule::SubjectKind => L(
                "Scegli la tipologia di soggetto.",
                "Choose the kind of subject.",
            )
            .text(lang),
            InputRule::PrivacyNotice => L(
                "Per registrarti devi dichiarare di aver letto l'informativa sulla privacy.",
                "To register, confirm that you have read the privacy notice.",
            )
            .text(lang),
            InputRule::ConsentUnanswered => L(
                "Scegli se dare o negare il consenso.",
                "Choose whether to give or refuse consent.",
            )
            .text(lang),
            InputRule::InvoicingChannel => L(
                "Indica il codice destinatario SDI oppure la PEC per le fatture elettroniche.",
                "Enter the SDI recipient code or the PEC address for electronic invoices.",
            )
            .text(lang),
            InputRule::BirthDateInFuture => L(
                "La data di nascita non può essere futura.",
                "The date of birth cannot be in the future.",
            )
            .text(lang),
            InputRule::TaxCodeOrVatNumber => L(
                "Indica un codice fiscale o una partita IVA valida.",
                "Enter a valid tax code or VAT number.",
            )
            .text(lang),
            InputRule::PersonalTaxCode => L(
                "Indica un codice fiscale valido di 16 caratteri.",
                "Enter a valid 16-character tax code.",
            )
            .text(lang),
            InputRule::Username => L(
                "Indica lo username nella forma 123456@dominio.",
                "Enter the username as 123456@domain.",
            )
            .text(lang),
            InputRule::EmergencyCodeFormat => L(
                "Il codice di emergenza è formato da 16 caratteri (lettere e cifre).",
                "The emergency code has 16 characters (letters and digits).",
            )
            .text(lang),
            InputRule::TooLong { max } => L(
                format!("Al massimo {max} caratteri."),
                format!("At most {max} characters."),
            )
            .get(lang),
            InputRule::SecurityKeyRefused => L(
                "La chiave non è stata accettata. Riprova, e se usi una passkey sincronizzata (per esempio nel portachiavi del telefono) usa invece una chiave di sicurezza fisica: il livello 3 richiede una chiave che non lascia il dispositivo.",
                "The key was not accepted. Try again; if you use a synchronised passkey (for example in your phone's keychain), use a physical security key instead: level 3 needs a key that never leaves its device.",
            )
            .text(lang),
        }
    }
}

impl Words for FieldProblem {
    fn words(&self, lang: Lang) -> String {
        match self {
            FieldProblem::Rule(r) => r.words(lang),
            FieldProblem::TaxCode(e) => e.words(lang),
            FieldProblem::TaxCodeMismatch(e) => e.words(lang),
            FieldProblem::VatNumber(e) => e.words(lang),
            FieldProblem::Email(e) => e.words(lang),
            FieldProblem::Phone(e) => e.words(lang),
            FieldProblem::PostalCode(e) => e.words(lang),
            FieldProblem::Province(e) => e.words(lang),
            FieldProblem::Place(e) => e.words(lang),
            FieldProblem::LoginId(e) => e.words(lang),
            FieldProblem::Holder(e) => e.words(lang),
            FieldProblem::Password(v) => joined(v, lang),
        }
    }
}
