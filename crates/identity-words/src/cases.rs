//! Words for the operators' cases: correction requests and orders.

use identity_core::correction::{CorrectableField, CorrectionError, CorrectionState, InvalidValue};
use identity_core::{OrderError, OrderKind, OrderState};

use crate::{L, Label, Lang, Words};

impl Words for CorrectionError {
    fn words(&self, lang: Lang) -> String {
        match self {
            CorrectionError::AlreadyDecided => L(
                "La richiesta di rettifica è già stata decisa.".into(),
                "The correction request was already decided.".into(),
            )
            .get(lang),
            CorrectionError::Required(_) => L(
                "Campo obbligatorio (massimo 500 caratteri).".into(),
                "This field is required (500 characters at most).".into(),
            )
            .get(lang),
            CorrectionError::NotApplicable => L(
                "Questo dato non è presente nella tua anagrafica.".into(),
                "Your holder data has no such field.".into(),
            )
            .get(lang),
            CorrectionError::Unchanged => L(
                "Il valore indicato è uguale a quello registrato.".into(),
                "The value given is the one already on record.".into(),
            )
            .get(lang),
            CorrectionError::Invalid(why) => {
                let detail = why.words(lang);
                L(
                    format!("Il valore indicato non è valido: {detail}"),
                    format!("The value given is not valid: {detail}"),
                )
                .get(lang)
            }
            CorrectionError::Mismatch(v) => v
                .iter()
                .map(|m| m.words(lang))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}
impl Label for CorrectableField {
    fn label(&self) -> L {
        match self {
            CorrectableField::GivenName => L("Nome", "Given name"),
            CorrectableField::FamilyName => L("Cognome", "Family name"),
            CorrectableField::TaxCode => L("Codice fiscale", "Tax code"),
            CorrectableField::VatNumber => L("Partita IVA", "VAT number"),
            CorrectableField::CompanyName => L("Ragione sociale", "Company name"),
            CorrectableField::BirthDate => L("Data di nascita", "Date of birth"),
            CorrectableField::BirthPlace => L("Luogo di nascita", "Place of birth"),
            CorrectableField::Sex => L("Sesso", "Sex"),
            CorrectableField::TaxCodeAgreement => L(
                "Corrispondenza tra codice fiscale e dati anagrafici",
                "Agreement between tax code and personal data",
            ),
        }
    }
}

impl Label for CorrectionState {
    fn label(&self) -> L {
        match self {
            CorrectionState::Open => L("in attesa", "waiting"),
            CorrectionState::Approved { .. } => L("approvata", "approved"),
            CorrectionState::Rejected { .. } => L("respinta", "rejected"),
        }
    }
}

impl Words for OrderError {
    fn words(&self, lang: Lang) -> String {
        match self {
            OrderError::Final => L(
                "L'ordine è già concluso o annullato.".into(),
                "The order is already completed or cancelled.".into(),
            )
            .get(lang),
        }
    }
}
impl Label for OrderKind {
    fn label(&self) -> L {
        match self {
            OrderKind::DigitalIdentity => L("Identità digitale", "Digital identity"),
            OrderKind::Renewal => L("Rinnovo", "Renewal"),
        }
    }
}

impl Label for OrderState {
    fn label(&self) -> L {
        match self {
            OrderState::Open => L("in lavorazione", "in progress"),
            OrderState::Completed => L("concluso", "completed"),
            OrderState::Cancelled => L("annullato", "cancelled"),
        }
    }
}

impl Words for InvalidValue {
    fn words(&self, lang: Lang) -> String {
        match self {
            InvalidValue::TaxCode(e) => e.words(lang),
            InvalidValue::VatNumber(e) => e.words(lang),
            InvalidValue::Person(e) => e.words(lang),
            InvalidValue::Date => "AAAA-MM-GG / YYYY-MM-DD".to_owned(),
            InvalidValue::PlaceCode(code) => code.clone(),
            InvalidValue::Sex => "M / F".to_owned(),
        }
    }
}
