//! Italian province and metropolitan-city codes (sigle), plus `EE` for abroad.

use std::fmt;

/// The 107 codes in use today (the same set as the active municipalities of the
/// embedded ISTAT data), sorted so lookups can binary-search.
const PROVINCES: [&str; 107] = [
    "AG", "AL", "AN", "AO", "AP", "AQ", "AR", "AT", "AV", "BA", "BG", "BI", "BL", "BN", "BO", "BR",
    "BS", "BT", "BZ", "CA", "CB", "CE", "CH", "CL", "CN", "CO", "CR", "CS", "CT", "CZ", "EN", "FC",
    "FE", "FG", "FI", "FM", "FR", "GE", "GO", "GR", "IM", "IS", "KR", "LC", "LE", "LI", "LO", "LT",
    "LU", "MB", "MC", "ME", "MI", "MN", "MO", "MS", "MT", "NA", "NO", "NU", "OR", "PA", "PC", "PD",
    "PE", "PG", "PI", "PN", "PO", "PR", "PT", "PU", "PV", "PZ", "RA", "RC", "RE", "RG", "RI", "RM",
    "RN", "RO", "SA", "SI", "SO", "SP", "SR", "SS", "SU", "SV", "TA", "TE", "TN", "TO", "TP", "TR",
    "TS", "TV", "UD", "VA", "VB", "VC", "VE", "VI", "VR", "VT", "VV",
];

/// The code used for addresses outside Italy.
pub const ABROAD: &str = "EE";

/// A province or metropolitan-city code, or `EE` for abroad.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProvinceCode(String);

/// Why a province code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvinceError {
    /// Codes are two letters.
    #[error("a province code has 2 letters, {0:?} is not one")]
    Malformed(String),
    /// Two letters, but no Italian province has them.
    #[error("{0} is not an Italian province code")]
    Unknown(String),
}

impl ProvinceCode {
    /// Parses a code, case-insensitively.
    pub fn parse(input: &str) -> Result<ProvinceCode, ProvinceError> {
        let s = input.trim().to_ascii_uppercase();
        if s.len() != 2 || !s.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ProvinceError::Malformed(input.trim().to_owned()));
        }
        if s == ABROAD || PROVINCES.binary_search(&s.as_str()).is_ok() {
            Ok(ProvinceCode(s))
        } else {
            Err(ProvinceError::Unknown(s))
        }
    }

    /// Every accepted code, `EE` last; for select boxes.
    pub fn all() -> impl Iterator<Item = &'static str> {
        PROVINCES.iter().copied().chain(std::iter::once(ABROAD))
    }

    /// The two letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `EE` (abroad).
    #[must_use]
    pub fn is_abroad(&self) -> bool {
        self.0 == ABROAD
    }
}

impl fmt::Display for ProvinceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(PROVINCES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn accepts_real_codes_only() {
        assert_eq!(ProvinceCode::parse("rm").unwrap().as_str(), "RM");
        assert!(ProvinceCode::parse("EE").unwrap().is_abroad());
        assert_eq!(
            ProvinceCode::parse("XX"),
            Err(ProvinceError::Unknown("XX".into()))
        );
        assert!(matches!(
            ProvinceCode::parse("R1"),
            Err(ProvinceError::Malformed(_))
        ));
        assert_eq!(ProvinceCode::all().count(), 108);
    }
}
