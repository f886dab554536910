//! Correction requests (richieste di rettifica): the holder cannot change its
//! identity fields, but a genuine typo can be fixed by an operator. The request
//! names the field and the value the holder says is right; approval re-validates
//! the corrected holder exactly as registration would (a tax code that no longer
//! agrees with the names or birth data is refused), then replaces the field.

use chrono::{DateTime, NaiveDate, Utc};

use crate::holder::{
    BusinessIdentity, CompanyHolder, DataReview, Holder, HolderError, HolderKind, PersonHolder,
    PersonIdentity, ProfessionalHolder,
};
use crate::ids::{CorrectionId, HolderId};
use crate::values::places::is_known_place_code;
use crate::values::tax_code::{
    PersonCheck, PersonalTaxCode, Sex, TaxCode, TaxCodeError, TaxCodeMismatch,
};
use crate::values::vat_number::{VatNumber, VatNumberError};

/// Which immutable field a correction request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectableField {
    /// Given name.
    GivenName,
    /// Family name.
    FamilyName,
    /// Tax code.
    TaxCode,
    /// VAT number.
    VatNumber,
    /// Company name.
    CompanyName,
    /// Date of birth.
    BirthDate,
    /// Place of birth (Belfiore code of the municipality or country).
    BirthPlace,
    /// Sex, as on the tax code.
    Sex,
    /// Not a field: a tax code that disagrees with the declared data, confirmed as
    /// right by the holder at registration, for an operator to confirm. Opened by
    /// registration only ([`CorrectionRequest::open_agreement_review`]).
    TaxCodeAgreement,
}

impl CorrectableField {
    /// Every field, in the order the form lists them.
    pub const ALL: [CorrectableField; 9] = [
        CorrectableField::GivenName,
        CorrectableField::FamilyName,
        CorrectableField::TaxCode,
        CorrectableField::BirthDate,
        CorrectableField::BirthPlace,
        CorrectableField::Sex,
        CorrectableField::CompanyName,
        CorrectableField::VatNumber,
        CorrectableField::TaxCodeAgreement,
    ];

    /// Stable code for storage, forms and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            CorrectableField::GivenName => "given_name",
            CorrectableField::FamilyName => "family_name",
            CorrectableField::TaxCode => "tax_code",
            CorrectableField::VatNumber => "vat_number",
            CorrectableField::CompanyName => "company_name",
            CorrectableField::BirthDate => "birth_date",
            CorrectableField::BirthPlace => "birth_place",
            CorrectableField::Sex => "sex",
            CorrectableField::TaxCodeAgreement => "tax_code_agreement",
        }
    }

    /// Inverse of [`CorrectableField::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<CorrectableField> {
        CorrectableField::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The fields a holder of this shape has.
    #[must_use]
    pub fn fields_of(holder: &Holder) -> Vec<CorrectableField> {
        CorrectableField::ALL
            .into_iter()
            .filter(|f| f.current_value(holder).is_some())
            .collect()
    }

    /// The field's present value on `holder`, or `None` if the holder has no such field.
    #[must_use]
    pub fn current_value(self, holder: &Holder) -> Option<String> {
        let person = holder.person();
        match self {
            CorrectableField::GivenName => person.map(|p| p.given_name().to_owned()),
            CorrectableField::FamilyName => person.map(|p| p.family_name().to_owned()),
            CorrectableField::TaxCode => holder.tax_code().map(|c| c.as_str().to_owned()),
            CorrectableField::BirthDate => {
                person.map(|p| p.birth_date().format("%Y-%m-%d").to_string())
            }
            CorrectableField::BirthPlace => person.map(|p| p.birth_place_code().to_owned()),
            CorrectableField::Sex => person.map(|p| sex_code(p.sex()).to_owned()),
            CorrectableField::CompanyName => match holder.kind() {
                HolderKind::Person(_) => None,
                HolderKind::Professional(p) => Some(p.business_name().to_owned()),
                HolderKind::Company(c) => Some(c.business.name().to_owned()),
            },
            CorrectableField::VatNumber => match holder.kind() {
                HolderKind::Person(_) => None,
                _ => Some(
                    holder
                        .vat_number()
                        .map(|v| v.as_str().to_owned())
                        .unwrap_or_default(),
                ),
            },
            // Not something a holder picks: registration opens it.
            CorrectableField::TaxCodeAgreement => None,
        }
    }
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "M",
        Sex::Female => "F",
    }
}

/// Where a correction request stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CorrectionState {
    /// Waiting for an operator.
    Open,
    /// Approved and applied.
    Approved {
        /// Operator.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Rejected.
    Rejected {
        /// Operator.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// Why (shown to the holder).
        reason: String,
    },
}

impl CorrectionState {
    /// Stable code: `open`, `approved`, `rejected`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CorrectionState::Open => "open",
            CorrectionState::Approved { .. } => "approved",
            CorrectionState::Rejected { .. } => "rejected",
        }
    }
}

/// A request to fix a typo in an immutable holder field, decided by an operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionRequest {
    /// Id.
    pub id: CorrectionId,
    /// The holder.
    pub holder_id: HolderId,
    /// Which field.
    pub field: CorrectableField,
    /// The value on record when the request was opened.
    pub current_value: String,
    /// The value the holder says is right.
    pub requested_value: String,
    /// The holder's explanation.
    pub reason: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Where it stands.
    pub state: CorrectionState,
}

/// Why a correction request cannot be opened, decided or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    /// Already approved or rejected.
    #[error("the correction request was already decided")]
    AlreadyDecided,
    /// The reason or value is empty, or too long.
    #[error("the field {0} is required (at most 500 characters)")]
    Required(&'static str),
    /// The holder has no such field (a company has no date of birth).
    #[error("this holder has no such field")]
    NotApplicable,
    /// The requested value equals the value on record.
    #[error("the requested value is the value on record")]
    Unchanged,
    /// The requested value is not a valid value of the field.
    #[error("the requested value is not valid: {0:?}")]
    Invalid(InvalidValue),
    /// The corrected tax code would disagree with the names or birth data.
    #[error("the corrected data would not agree with the tax code")]
    Mismatch(Vec<TaxCodeMismatch>),
}

/// Why a requested value is not a valid value of its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidValue {
    /// Not a valid tax code.
    TaxCode(TaxCodeError),
    /// Not a valid VAT number.
    VatNumber(VatNumberError),
    /// The person's data would not be valid with it.
    Person(HolderError),
    /// Not a date written `YYYY-MM-DD` or `DD/MM/YYYY`.
    Date,
    /// Not the code of a known municipality or country.
    PlaceCode(String),
    /// Not `M` or `F`.
    Sex,
}

const MAX_TEXT: usize = 500;

fn bounded(field: &'static str, text: &str) -> Result<String, CorrectionError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(CorrectionError::Required(field));
    }
    Ok(t.to_owned())
}

impl CorrectionRequest {
    /// Opens a request about `field` of `holder`. The requested value is checked
    /// the way approval will check it, so a request that could never be applied is
    /// refused at once, with the reason, instead of waiting for an operator.
    pub fn open(
        id: CorrectionId,
        holder: &Holder,
        field: CorrectableField,
        requested_value: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<CorrectionRequest, CorrectionError> {
        let current_value = field
            .current_value(holder)
            .ok_or(CorrectionError::NotApplicable)?;
        let requested_value = bounded("requested_value", requested_value)?;
        let reason = bounded("reason", reason)?;
        if requested_value.eq_ignore_ascii_case(&current_value) {
            return Err(CorrectionError::Unchanged);
        }
        // Only the value's own shape: agreement with the other fields is decided
        // at approval, since the holder may open several requests that fix it together.
        corrected_kind(holder, field, &requested_value, false)?;
        Ok(CorrectionRequest {
            id,
            holder_id: holder.id(),
            field,
            current_value,
            requested_value,
            reason,
            opened_at: now,
            state: CorrectionState::Open,
        })
    }

    /// Opens the review of a tax code that disagrees with the declared data, which
    /// the holder confirmed as right when registering; `mismatches` describes the
    /// disagreement for the operator.
    pub fn open_agreement_review(
        id: CorrectionId,
        holder: &Holder,
        mismatches: &str,
        now: DateTime<Utc>,
    ) -> Result<CorrectionRequest, CorrectionError> {
        let code = holder
            .tax_code()
            .map(|c| c.as_str().to_owned())
            .ok_or(CorrectionError::NotApplicable)?;
        Ok(CorrectionRequest {
            id,
            holder_id: holder.id(),
            field: CorrectableField::TaxCodeAgreement,
            current_value: code.clone(),
            requested_value: code,
            reason: bounded("reason", mismatches)?,
            opened_at: now,
            state: CorrectionState::Open,
        })
    }

    /// Approves an open request and returns the corrected holder (the caller stores it).
    pub fn approve(
        &mut self,
        holder: &Holder,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<Holder, CorrectionError> {
        if self.state != CorrectionState::Open {
            return Err(CorrectionError::AlreadyDecided);
        }
        let mut corrected = holder.clone();
        if self.field == CorrectableField::TaxCodeAgreement {
            corrected.set_data_review(DataReview::Confirmed);
        } else {
            // Data an operator confirmed as declared need not agree with the code.
            let agree = holder.data_review() != DataReview::Confirmed;
            let kind = corrected_kind(holder, self.field, &self.requested_value, agree)?;
            corrected.replace_identity(kind);
            if matches!(
                holder.data_review(),
                DataReview::Pending | DataReview::Rejected
            ) {
                // The corrected data agrees now: nothing left to review.
                corrected.set_data_review(DataReview::NotNeeded);
            }
        }
        self.state = CorrectionState::Approved {
            by: operator.to_owned(),
            at: now,
        };
        Ok(corrected)
    }

    /// Rejects an open request with a reason for the holder.
    pub fn reject(
        &mut self,
        operator: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CorrectionError> {
        if self.state != CorrectionState::Open {
            return Err(CorrectionError::AlreadyDecided);
        }
        let reason = bounded("reason", reason)?;
        self.state = CorrectionState::Rejected {
            by: operator.to_owned(),
            at: now,
            reason,
        };
        Ok(())
    }
}

fn parse_date(value: &str) -> Result<NaiveDate, CorrectionError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .map_err(|_| CorrectionError::Invalid(InvalidValue::Date))
}

/// The person with one field replaced, re-validated.
fn corrected_person(
    p: &PersonIdentity,
    field: CorrectableField,
    value: &str,
) -> Result<PersonIdentity, CorrectionError> {
    let mut given = p.given_name().to_owned();
    let mut family = p.family_name().to_owned();
    let mut code = p.tax_code().clone();
    let mut birth_date = p.birth_date();
    let mut place = p.birth_place_code().to_owned();
    let mut sex = p.sex();
    match field {
        CorrectableField::GivenName => given = value.to_owned(),
        CorrectableField::FamilyName => family = value.to_owned(),
        CorrectableField::TaxCode => {
            code = PersonalTaxCode::parse(value)
                .map_err(|e| CorrectionError::Invalid(InvalidValue::TaxCode(e)))?;
        }
        CorrectableField::BirthDate => birth_date = parse_date(value)?,
        CorrectableField::BirthPlace => {
            let c = value.trim().to_ascii_uppercase();
            if !is_known_place_code(&c) {
                return Err(CorrectionError::Invalid(InvalidValue::PlaceCode(c)));
            }
            place = c;
        }
        CorrectableField::Sex => {
            sex = match value.trim().to_ascii_uppercase().as_str() {
                "M" => Sex::Male,
                "F" => Sex::Female,
                _ => return Err(CorrectionError::Invalid(InvalidValue::Sex)),
            }
        }
        CorrectableField::CompanyName
        | CorrectableField::VatNumber
        | CorrectableField::TaxCodeAgreement => {
            return Err(CorrectionError::NotApplicable);
        }
    }
    PersonIdentity::new(&given, &family, code, birth_date, &place, sex)
        .map_err(|e| CorrectionError::Invalid(InvalidValue::Person(e)))
}

fn check_agreement(p: &PersonIdentity) -> Result<(), CorrectionError> {
    p.tax_code()
        .check_person(&PersonCheck {
            family_name: p.family_name(),
            given_name: p.given_name(),
            birth_date: p.birth_date(),
            sex: p.sex(),
            birth_place_code: Some(p.birth_place_code()),
        })
        .map_err(CorrectionError::Mismatch)
}

/// The holder's identity part with `field` set to `value`; with `agree`, a
/// person's tax code must still agree with the declared data.
fn corrected_kind(
    holder: &Holder,
    field: CorrectableField,
    value: &str,
    agree: bool,
) -> Result<HolderKind, CorrectionError> {
    if field == CorrectableField::TaxCodeAgreement {
        return Err(CorrectionError::NotApplicable);
    }
    let person_fields = !matches!(
        field,
        CorrectableField::CompanyName | CorrectableField::VatNumber
    );
    let kind = match holder.kind() {
        HolderKind::Person(p) if person_fields => HolderKind::Person(PersonHolder {
            person: corrected_person(&p.person, field, value)?,
        }),
        HolderKind::Professional(p) => {
            let person = if person_fields {
                corrected_person(&p.person, field, value)?
            } else {
                p.person.clone()
            };
            let business_name = if field == CorrectableField::CompanyName {
                value.to_owned()
            } else {
                p.business_name().to_owned()
            };
            let vat = if field == CorrectableField::VatNumber {
                VatNumber::parse(value)
                    .map_err(|e| CorrectionError::Invalid(InvalidValue::VatNumber(e)))?
            } else {
                p.vat_number.clone()
            };
            HolderKind::Professional(
                ProfessionalHolder::new(p.kind(), person, &business_name, vat)
                    .map_err(|e| CorrectionError::Invalid(InvalidValue::Person(e)))?,
            )
        }
        HolderKind::Company(c) => {
            let b = &c.business;
            let (name, vat, code) = match field {
                CorrectableField::CompanyName => (
                    value.to_owned(),
                    b.vat_number().cloned(),
                    b.tax_code().cloned(),
                ),
                CorrectableField::VatNumber => (
                    b.name().to_owned(),
                    Some(
                        VatNumber::parse(value)
                            .map_err(|e| CorrectionError::Invalid(InvalidValue::VatNumber(e)))?,
                    ),
                    b.tax_code().cloned(),
                ),
                CorrectableField::TaxCode => (
                    b.name().to_owned(),
                    b.vat_number().cloned(),
                    Some(
                        TaxCode::parse(value)
                            .map_err(|e| CorrectionError::Invalid(InvalidValue::TaxCode(e)))?,
                    ),
                ),
                _ => return Err(CorrectionError::NotApplicable),
            };
            let business = BusinessIdentity::new(&name, vat, code)
                .map_err(|e| CorrectionError::Invalid(InvalidValue::Person(e)))?;
            HolderKind::Company(
                CompanyHolder::new(c.kind(), business, c.invoicing.clone())
                    .map_err(|e| CorrectionError::Invalid(InvalidValue::Person(e)))?,
            )
        }
        HolderKind::Person(_) => return Err(CorrectionError::NotApplicable),
    };
    if agree {
        match &kind {
            HolderKind::Person(p) => check_agreement(&p.person)?,
            HolderKind::Professional(p) => check_agreement(&p.person)?,
            HolderKind::Company(_) => {}
        }
    }
    Ok(kind)
}

#[cfg(test)]
mod tests;
