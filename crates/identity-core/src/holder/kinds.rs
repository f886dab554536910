//! What each kind of holder must provide, enforced by the types: a person's names
//! and 16-character tax code, a professional's business name and VAT number, a
//! company's name and VAT number or 11-digit tax code, and the invoicing channel.

use chrono::NaiveDate;

use crate::subject_kind::SubjectKind;
use crate::values::email::EmailAddress;
use crate::values::tax_code::{PersonalTaxCode, Sex, TaxCode};
use crate::values::vat_number::VatNumber;

/// The identity data of a natural person; immutable once registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonIdentity {
    pub(super) given_name: String,
    pub(super) family_name: String,
    pub(super) tax_code: PersonalTaxCode,
    pub(super) birth_date: NaiveDate,
    pub(super) birth_place_code: String,
    pub(super) sex: Sex,
}

/// Why holder data was refused (beyond the errors of the value types themselves).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolderError {
    /// A required text field is empty.
    #[error("the field {0} is required")]
    Required(&'static str),
    /// A name is too long or contains characters a name cannot have.
    #[error("the field {0} contains characters that are not allowed")]
    BadName(&'static str),
    /// A company must have a VAT number, an 11-digit tax code, or both.
    #[error("a VAT number or an 11-digit tax code is required")]
    MissingFiscalId,
    /// An SDI recipient code has 7 letters or digits.
    #[error("an SDI recipient code has 7 letters or digits")]
    BadSdiCode,
    /// The birth date is before 1880 (future dates are refused by the use case,
    /// which knows today's date).
    #[error("the date of birth is not plausible")]
    BadBirthDate,
}

/// Checks a personal or company name: trimmed, collapsed spaces, letters (any
/// script, accents included), spaces, apostrophes, dots, hyphens; 1-100 chars.
fn clean_name(field: &'static str, input: &str, allow_digits: bool) -> Result<String, HolderError> {
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(HolderError::Required(field));
    }
    let ok = collapsed.chars().count() <= 100
        && collapsed.chars().all(|c| {
            c.is_alphabetic()
                || " '’.-".contains(c)
                || (allow_digits && (c.is_ascii_digit() || "&,/()+".contains(c)))
        });
    if ok {
        Ok(collapsed)
    } else {
        Err(HolderError::BadName(field))
    }
}

impl PersonIdentity {
    /// Builds a person's identity data. Agreement between the tax code and the
    /// declared data is checked separately (`PersonalTaxCode::check_person`),
    /// because a mismatch the user insists on goes to an operator, not to an error.
    pub fn new(
        given_name: &str,
        family_name: &str,
        tax_code: PersonalTaxCode,
        birth_date: NaiveDate,
        birth_place_code: &str,
        sex: Sex,
    ) -> Result<PersonIdentity, HolderError> {
        let given_name = clean_name("given_name", given_name, false)?;
        let family_name = clean_name("family_name", family_name, false)?;
        let birth_place_code = birth_place_code.trim().to_ascii_uppercase();
        if birth_place_code.is_empty() {
            return Err(HolderError::Required("birth_place"));
        }
        if birth_date < NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(NaiveDate::MIN) {
            return Err(HolderError::BadBirthDate);
        }
        Ok(PersonIdentity {
            given_name,
            family_name,
            tax_code,
            birth_date,
            birth_place_code,
            sex,
        })
    }

    /// Given name(s).
    #[must_use]
    pub fn given_name(&self) -> &str {
        &self.given_name
    }
    /// Family name(s).
    #[must_use]
    pub fn family_name(&self) -> &str {
        &self.family_name
    }
    /// The 16-character tax code.
    #[must_use]
    pub fn tax_code(&self) -> &PersonalTaxCode {
        &self.tax_code
    }
    /// Date of birth.
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    /// Belfiore code of the place of birth (municipality or `Z...` country).
    #[must_use]
    pub fn birth_place_code(&self) -> &str {
        &self.birth_place_code
    }
    /// Sex as recorded in the tax code.
    #[must_use]
    pub fn sex(&self) -> Sex {
        self.sex
    }
}

/// The identity data of a company or other body; immutable once registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessIdentity {
    pub(super) name: String,
    pub(super) vat_number: Option<VatNumber>,
    pub(super) tax_code: Option<TaxCode>,
}

impl BusinessIdentity {
    /// A company name with a VAT number and/or a tax code (11 digits, or 16
    /// characters for bodies that only have a personal one).
    pub fn new(
        name: &str,
        vat_number: Option<VatNumber>,
        tax_code: Option<TaxCode>,
    ) -> Result<BusinessIdentity, HolderError> {
        let name = clean_name("company_name", name, true)?;
        if vat_number.is_none() && tax_code.is_none() {
            return Err(HolderError::MissingFiscalId);
        }
        Ok(BusinessIdentity {
            name,
            vat_number,
            tax_code,
        })
    }

    /// Company or body name (ragione sociale / denominazione).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// VAT number, when the body has one.
    #[must_use]
    pub fn vat_number(&self) -> Option<&VatNumber> {
        self.vat_number.as_ref()
    }
    /// Tax code, when given.
    #[must_use]
    pub fn tax_code(&self) -> Option<&TaxCode> {
        self.tax_code.as_ref()
    }
}

/// The e-invoicing channel of a company (SDI recipient code or PEC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoicingChannel {
    /// A 7-character SDI recipient code (codice destinatario).
    Sdi(String),
    /// A certified-mail (PEC) address.
    Pec(EmailAddress),
}

impl InvoicingChannel {
    /// Validates an SDI recipient code: 7 letters or digits, upper-cased.
    pub fn sdi(code: &str) -> Result<InvoicingChannel, HolderError> {
        let c = code.trim().to_ascii_uppercase();
        if c.len() == 7 && c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            Ok(InvoicingChannel::Sdi(c))
        } else {
            Err(HolderError::BadSdiCode)
        }
    }
}

/// A natural person (persona fisica).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHolder {
    /// The person's identity data.
    pub person: PersonIdentity,
}

/// A libero professionista or ditta individuale: a person acting with a VAT number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalHolder {
    /// `LiberoProfessionista` or `DittaIndividuale`.
    pub(super) kind: SubjectKind,
    /// The person's identity data.
    pub person: PersonIdentity,
    /// Business name (for a professional usually the person's own name).
    pub(super) business_name: String,
    /// The VAT number of the activity.
    pub vat_number: VatNumber,
}

impl ProfessionalHolder {
    /// Builds a professional; `kind` must be libero professionista or ditta individuale.
    pub fn new(
        kind: SubjectKind,
        person: PersonIdentity,
        business_name: &str,
        vat_number: VatNumber,
    ) -> Result<ProfessionalHolder, HolderError> {
        if !matches!(
            kind,
            SubjectKind::LiberoProfessionista | SubjectKind::DittaIndividuale
        ) {
            return Err(HolderError::Required("subject_kind"));
        }
        let business_name = if business_name.trim().is_empty() {
            format!("{} {}", person.given_name, person.family_name)
        } else {
            clean_name("company_name", business_name, true)?
        };
        Ok(ProfessionalHolder {
            kind,
            person,
            business_name,
            vat_number,
        })
    }

    /// The subject kind.
    #[must_use]
    pub fn kind(&self) -> SubjectKind {
        self.kind
    }
    /// The business name.
    #[must_use]
    pub fn business_name(&self) -> &str {
        &self.business_name
    }
}

/// A company or other body (azienda, ente no profit, ente pubblico, altri soggetti).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyHolder {
    pub(super) kind: SubjectKind,
    /// The body's identity data.
    pub business: BusinessIdentity,
    /// E-invoicing channel; required for companies, optional for other bodies.
    pub invoicing: Option<InvoicingChannel>,
}

impl CompanyHolder {
    /// Builds a company or body; `kind` must be one of the non-person kinds.
    pub fn new(
        kind: SubjectKind,
        business: BusinessIdentity,
        invoicing: Option<InvoicingChannel>,
    ) -> Result<CompanyHolder, HolderError> {
        match kind {
            SubjectKind::Azienda if invoicing.is_none() => Err(HolderError::Required("invoicing")),
            SubjectKind::Azienda
            | SubjectKind::EnteNoProfit
            | SubjectKind::EntePubblico
            | SubjectKind::AltriSoggetti => Ok(CompanyHolder {
                kind,
                business,
                invoicing,
            }),
            _ => Err(HolderError::Required("subject_kind")),
        }
    }

    /// The subject kind.
    #[must_use]
    pub fn kind(&self) -> SubjectKind {
        self.kind
    }
}

/// The kind-specific, immutable identity part of a holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderKind {
    /// Persona fisica.
    Person(PersonHolder),
    /// Libero professionista or ditta individuale.
    Professional(ProfessionalHolder),
    /// Azienda or another body.
    Company(CompanyHolder),
}
