//! The holder (anagrafica / intestatario): the registered subject that owns logins
//! and digital identities. What each subject kind must provide is enforced by the
//! types: a company cannot exist without its name and a VAT number or 11-digit
//! tax code, and a person cannot exist without names and a 16-character tax code.

use chrono::{DateTime, NaiveDate, Utc};

pub use crate::address::Address;
pub use crate::data_review::DataReview;
use crate::ids::HolderId;
use crate::lang::Lang;
pub use crate::subject_kind::SubjectKind;
use crate::values::email::EmailAddress;
use crate::values::phone::PhoneNumber;
use crate::values::tax_code::{PersonalTaxCode, Sex, TaxCode};
use crate::values::vat_number::VatNumber;

/// The identity data of a natural person; immutable once registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonIdentity {
    given_name: String,
    family_name: String,
    tax_code: PersonalTaxCode,
    birth_date: NaiveDate,
    birth_place_code: String,
    sex: Sex,
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
    name: String,
    vat_number: Option<VatNumber>,
    tax_code: Option<TaxCode>,
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
    kind: SubjectKind,
    /// The person's identity data.
    pub person: PersonIdentity,
    /// Business name (for a professional usually the person's own name).
    business_name: String,
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
    kind: SubjectKind,
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

/// The holder's contact data: the reference email (recovery channel), phone and PEC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contacts {
    /// The reference email address.
    pub email: EmailAddress,
    /// The phone (mobile for people who want a digital identity).
    pub phone: PhoneNumber,
    /// Certified mail (PEC), optional.
    pub pec: Option<EmailAddress>,
}

/// A change of a secondary attribute, returned by the holder's methods so it can be
/// audited and notified (an email change is also announced on the old address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChange {
    /// The reference email changed.
    Email {
        /// Previous address.
        old: EmailAddress,
        /// New address.
        new: EmailAddress,
    },
    /// The phone changed.
    Phone {
        /// Previous number.
        old: PhoneNumber,
        /// New number.
        new: PhoneNumber,
    },
    /// The PEC changed (set, replaced or removed).
    Pec {
        /// Previous PEC.
        old: Option<EmailAddress>,
        /// New PEC.
        new: Option<EmailAddress>,
    },
    /// The postal address changed.
    Address {
        /// Previous address.
        old: Box<Address>,
        /// New address.
        new: Box<Address>,
    },
}

/// The registered subject. Identity fields are only readable; secondary attributes
/// change through methods that return the change as an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    id: HolderId,
    kind: HolderKind,
    address: Address,
    contacts: Contacts,
    lang: Lang,
    created_at: DateTime<Utc>,
    email_verified_at: Option<DateTime<Utc>>,
    data_review: DataReview,
}

impl Holder {
    /// Assembles a holder from already-validated parts.
    #[must_use]
    pub fn new(
        id: HolderId,
        kind: HolderKind,
        address: Address,
        contacts: Contacts,
        lang: Lang,
        created_at: DateTime<Utc>,
    ) -> Holder {
        Holder {
            id,
            kind,
            address,
            contacts,
            lang,
            created_at,
            email_verified_at: None,
            data_review: DataReview::NotNeeded,
        }
    }

    /// Whether the identity data waits for (or had) an operator's review.
    #[must_use]
    pub fn data_review(&self) -> DataReview {
        self.data_review
    }

    /// Sets the review state of the identity data (registration with a confirmed
    /// tax-code disagreement, an operator's decision, storage adapters restoring).
    pub fn set_data_review(&mut self, review: DataReview) {
        self.data_review = review;
    }

    /// The same holder with its reference email verified at `at` (or not, with
    /// `None`): for storage adapters restoring a holder.
    #[must_use]
    pub fn with_email_verified_at(mut self, at: Option<DateTime<Utc>>) -> Holder {
        self.email_verified_at = at;
        self
    }

    /// When the reference email was proven to reach the holder; `None` until then.
    #[must_use]
    pub fn email_verified_at(&self) -> Option<DateTime<Utc>> {
        self.email_verified_at
    }

    /// Whether the reference email was proven to reach the holder. Until it is,
    /// the holder's logins can only see their own data and resend the verification.
    #[must_use]
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// Records that the reference email reached the holder (a verification code
    /// sent to it came back).
    pub fn mark_email_verified(&mut self, at: DateTime<Utc>) {
        self.email_verified_at = Some(at);
    }

    /// Replaces the identity data: only through an approved correction request.
    pub(crate) fn replace_identity(&mut self, kind: HolderKind) {
        self.kind = kind;
    }

    /// The holder's id.
    #[must_use]
    pub fn id(&self) -> HolderId {
        self.id
    }
    /// The kind-specific identity data.
    #[must_use]
    pub fn kind(&self) -> &HolderKind {
        &self.kind
    }
    /// The subject kind chosen at registration.
    #[must_use]
    pub fn subject_kind(&self) -> SubjectKind {
        match &self.kind {
            HolderKind::Person(_) => SubjectKind::PersonaFisica,
            HolderKind::Professional(p) => p.kind,
            HolderKind::Company(c) => c.kind,
        }
    }
    /// The natural person behind the holder, if any (person or professional).
    #[must_use]
    pub fn person(&self) -> Option<&PersonIdentity> {
        match &self.kind {
            HolderKind::Person(p) => Some(&p.person),
            HolderKind::Professional(p) => Some(&p.person),
            HolderKind::Company(_) => None,
        }
    }
    /// The holder's tax code: the person's, or the body's when it has one.
    #[must_use]
    pub fn tax_code(&self) -> Option<TaxCode> {
        match &self.kind {
            HolderKind::Person(p) => Some(TaxCode::Personal(p.person.tax_code.clone())),
            HolderKind::Professional(p) => Some(TaxCode::Personal(p.person.tax_code.clone())),
            HolderKind::Company(c) => c.business.tax_code.clone(),
        }
    }
    /// The VAT number, for professionals and bodies that have one.
    #[must_use]
    pub fn vat_number(&self) -> Option<&VatNumber> {
        match &self.kind {
            HolderKind::Person(_) => None,
            HolderKind::Professional(p) => Some(&p.vat_number),
            HolderKind::Company(c) => c.business.vat_number.as_ref(),
        }
    }
    /// The name to address the holder by.
    #[must_use]
    pub fn display_name(&self) -> String {
        match &self.kind {
            HolderKind::Person(p) => format!("{} {}", p.person.given_name, p.person.family_name),
            HolderKind::Professional(p) => {
                format!("{} {}", p.person.given_name, p.person.family_name)
            }
            HolderKind::Company(c) => c.business.name.clone(),
        }
    }
    /// Residence or registered office.
    #[must_use]
    pub fn address(&self) -> &Address {
        &self.address
    }
    /// Contact data.
    #[must_use]
    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }
    /// The language for mail to this holder.
    #[must_use]
    pub fn lang(&self) -> Lang {
        self.lang
    }
    /// When the holder registered.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Changes the reference email; `None` when it is the same address.
    pub fn change_email(&mut self, new: EmailAddress) -> Option<ContactChange> {
        if new.normalized() == self.contacts.email.normalized() {
            return None;
        }
        let old = std::mem::replace(&mut self.contacts.email, new.clone());
        Some(ContactChange::Email { old, new })
    }

    /// Changes the phone; `None` when unchanged.
    pub fn change_phone(&mut self, new: PhoneNumber) -> Option<ContactChange> {
        if new == self.contacts.phone {
            return None;
        }
        let old = std::mem::replace(&mut self.contacts.phone, new.clone());
        Some(ContactChange::Phone { old, new })
    }

    /// Sets or removes the PEC; `None` when unchanged.
    pub fn change_pec(&mut self, new: Option<EmailAddress>) -> Option<ContactChange> {
        if new == self.contacts.pec {
            return None;
        }
        let old = std::mem::replace(&mut self.contacts.pec, new.clone());
        Some(ContactChange::Pec { old, new })
    }

    /// Changes the postal address; `None` when unchanged.
    pub fn change_address(&mut self, new: Address) -> Option<ContactChange> {
        if new == self.address {
            return None;
        }
        let old = std::mem::replace(&mut self.address, new.clone());
        Some(ContactChange::Address {
            old: Box::new(old),
            new: Box::new(new),
        })
    }

    /// Changes the preferred language (not an audited identity attribute).
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }
}

#[cfg(test)]
mod tests;
