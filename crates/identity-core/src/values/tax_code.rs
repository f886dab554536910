//! Italian tax code (codice fiscale). PROVISIONAL STUB: signatures are the contract, bodies to be written.
#![expect(missing_docs, clippy::todo, reason = "stub being replaced")]

use crate::i18n::{Lang, Localized};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalTaxCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumericTaxCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaxCode {
    Personal(PersonalTaxCode),
    Numeric(NumericTaxCode),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tax code")]
pub struct TaxCodeError;

impl Localized for TaxCodeError {
    fn message(&self, _lang: Lang) -> String {
        todo!()
    }
}

impl TaxCode {
    pub fn parse(_s: &str) -> Result<TaxCode, TaxCodeError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        match self {
            TaxCode::Personal(p) => &p.0,
            TaxCode::Numeric(n) => &n.0,
        }
    }
}

impl PersonalTaxCode {
    pub fn parse(_s: &str) -> Result<PersonalTaxCode, TaxCodeError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl NumericTaxCode {
    pub fn parse(_s: &str) -> Result<NumericTaxCode, TaxCodeError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub struct PersonCheck<'a> {
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub birth_date: chrono::NaiveDate,
    pub sex: Sex,
    pub birth_place_code: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mismatch")]
pub enum TaxCodeMismatch {
    FamilyName,
}

impl Localized for TaxCodeMismatch {
    fn message(&self, _lang: Lang) -> String {
        todo!()
    }
}

impl PersonalTaxCode {
    pub fn check_person(&self, _d: &PersonCheck<'_>) -> Result<(), Vec<TaxCodeMismatch>> {
        todo!()
    }
}
