//! Italian VAT number (partita IVA). PROVISIONAL STUB: signatures are the contract.
#![expect(missing_docs, clippy::todo, reason = "stub being replaced")]

use crate::i18n::{Lang, Localized};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VatNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid VAT number")]
pub struct VatNumberError;

impl Localized for VatNumberError {
    fn message(&self, _lang: Lang) -> String {
        todo!()
    }
}

impl VatNumber {
    pub fn parse(_s: &str) -> Result<VatNumber, VatNumberError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
