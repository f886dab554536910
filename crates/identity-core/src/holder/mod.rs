//! The holder (anagrafica / intestatario): the registered subject that owns logins
//! and digital identities. What each subject kind must provide is enforced by the
//! types: a company cannot exist without its name and a VAT number or 11-digit
//! tax code, and a person cannot exist without names and a 16-character tax code.

use chrono::{DateTime, Utc};

pub use crate::address::Address;
pub use crate::data_review::DataReview;
use crate::ids::HolderId;
use crate::lang::Lang;
pub use crate::subject_kind::SubjectKind;
use crate::values::email::EmailAddress;
use crate::values::phone::PhoneNumber;
use crate::values::tax_code::TaxCode;
use crate::values::vat_number::VatNumber;

mod kinds;

pub use kinds::{
    BusinessIdentity, CompanyHolder, HolderError, HolderKind, InvoicingChannel, PersonHolder,
    PersonIdentity, ProfessionalHolder,
};

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
            HolderKind::Professional(p) => p.kind(),
            HolderKind::Company(c) => c.kind(),
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
