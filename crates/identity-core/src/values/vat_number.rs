//! The Italian VAT number (partita IVA): 11 digits, of which 1-7 number the
//! subject, 8-10 are the code of the issuing tax office (001-100 provincial offices,
//! 120 and 121 special cases, 888 and 999 assigned centrally) and the last is a
//! Luhn check digit.
//!
//! Input is trimmed, spaces inside are ignored and an `IT` prefix (any case) is
//! dropped. Positions in errors count from the first digit after the prefix.

use std::fmt;
use std::str::FromStr;

/// A valid Italian VAT number (without the `IT` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VatNumber(String);

/// Why a VAT number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatNumberError {
    /// Nothing was entered.
    #[error("the VAT number is empty")]
    Empty,
    /// A character that is not a digit.
    #[error("character {position} ('{found}') is not a digit")]
    NotADigit {
        /// 1-based position (after any `IT` prefix).
        position: usize,
        /// What was there.
        found: char,
    },
    /// Not 11 digits.
    #[error("a VAT number has 11 digits, {found} found")]
    WrongLength {
        /// Digits found.
        found: usize,
    },
    /// The check digit does not match.
    #[error("the check digit should be {expected}, not {found}")]
    WrongCheckDigit {
        /// Computed.
        expected: char,
        /// Given.
        found: char,
    },
    /// Digits 8-10 are not the code of a tax office.
    #[error("{code} (digits 8-10) is not a tax office code")]
    UnknownOffice {
        /// The three digits.
        code: String,
    },
    /// Digits 1-7, the subject's serial number, are all zero: no office issues
    /// serial number zero.
    #[error("digits 1-7 (the serial number) are all zero")]
    ZeroSerialNumber,
}

/// The Luhn check digit of the first ten digits (ASCII), as the Italian VAT
/// number and the 11-digit tax code use it.
pub(crate) fn luhn_check_digit(first10: &[u8]) -> char {
    let sum: u32 = first10
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

fn is_office_code(code: u32) -> bool {
    matches!(code, 1..=100 | 120 | 121 | 888 | 999)
}

impl VatNumber {
    /// Parses a VAT number; spaces and an `IT` prefix are accepted and dropped.
    ///
    /// Checks, in order: something left after the prefix, only digits, eleven of
    /// them, the check digit, the office code, then a serial number other than
    /// zero (a wrong check digit is the likelier explanation of a typo, so it is
    /// reported first).
    pub fn parse(input: &str) -> Result<VatNumber, VatNumberError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = match compact.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("IT") => &compact[2..],
            _ => compact.as_str(),
        };
        if digits.is_empty() {
            return Err(VatNumberError::Empty);
        }
        if let Some((i, c)) = digits
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(VatNumberError::NotADigit {
                position: i + 1,
                found: c,
            });
        }
        if digits.len() != 11 {
            return Err(VatNumberError::WrongLength {
                found: digits.len(),
            });
        }
        let b = digits.as_bytes();
        let expected = luhn_check_digit(&b[..10]);
        let found = char::from(b[10]);
        if expected != found {
            return Err(VatNumberError::WrongCheckDigit { expected, found });
        }
        let office = &digits[7..10];
        if !office.parse().is_ok_and(is_office_code) {
            return Err(VatNumberError::UnknownOffice {
                code: office.to_owned(),
            });
        }
        if digits[..7].bytes().all(|d| d == b'0') {
            return Err(VatNumberError::ZeroSerialNumber);
        }
        Ok(VatNumber(digits.to_owned()))
    }

    /// The eleven digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code of the issuing tax office (digits 8-10).
    #[must_use]
    pub fn office_code(&self) -> &str {
        &self.0[7..10]
    }
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for VatNumber {
    type Err = VatNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VatNumber::parse(s)
    }
}

impl serde::Serialize for VatNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for VatNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        VatNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_with_or_without_prefix() {
        assert_eq!(
            VatNumber::parse("12345670017").unwrap().as_str(),
            "12345670017"
        );
        assert_eq!(
            VatNumber::parse(" it 1234567 0017 ").unwrap().office_code(),
            "001"
        );
    }

    #[test]
    fn rejects_precisely() {
        assert_eq!(VatNumber::parse("IT"), Err(VatNumberError::Empty));
        assert_eq!(
            VatNumber::parse("1234567001A"),
            Err(VatNumberError::NotADigit {
                position: 11,
                found: 'A'
            })
        );
        assert_eq!(
            VatNumber::parse("1234567001"),
            Err(VatNumberError::WrongLength { found: 10 })
        );
        assert_eq!(
            VatNumber::parse("12345670018"),
            Err(VatNumberError::WrongCheckDigit {
                expected: '7',
                found: '8'
            })
        );
        // 12345671xx: office 101 does not exist.
        let mut base = b"1234567101".to_vec();
        let check = luhn_check_digit(&base);
        base.push(u8::try_from(u32::from(check)).unwrap());
        let s = String::from_utf8(base).unwrap();
        assert_eq!(
            VatNumber::parse(&s),
            Err(VatNumberError::UnknownOffice { code: "101".into() })
        );
    }

    #[test]
    fn a_serial_number_of_zero_is_refused() {
        // Every office, the check digit right: still no serial number zero.
        for office in ["001", "100", "120", "888", "999"] {
            let mut base = format!("0000000{office}").into_bytes();
            let check = luhn_check_digit(&base);
            base.push(u8::try_from(u32::from(check)).unwrap());
            let s = String::from_utf8(base).unwrap();
            assert_eq!(
                VatNumber::parse(&s),
                Err(VatNumberError::ZeroSerialNumber),
                "{s}"
            );
        }
        // Serial number 1 is fine.
        assert!(VatNumber::parse("00000010017").is_ok());
    }

    #[test]
    fn parses_like_from_str_and_deserialize() {
        use serde::de::value::{Error, StrDeserializer};
        let v: VatNumber = "IT12345670017".parse().unwrap();
        assert_eq!(v.to_string(), "12345670017");
        let d: Result<VatNumber, Error> =
            serde::Deserialize::deserialize(StrDeserializer::<Error>::new("it 12345670017"));
        assert_eq!(d.unwrap(), v);
        let bad: Result<VatNumber, Error> =
            serde::Deserialize::deserialize(StrDeserializer::<Error>::new("12345670018"));
        assert!(bad.is_err());
    }

    #[test]
    fn messages_name_the_problem() {
        let e = VatNumber::parse("IT1234567X017").unwrap_err();
        assert_eq!(
            e,
            VatNumberError::NotADigit {
                position: 8,
                found: 'X'
            }
        );
        assert!(e.to_string().contains("8 ('X')"));
        let e = VatNumberError::UnknownOffice { code: "101".into() };
        assert_eq!(e.to_string(), "101 (digits 8-10) is not a tax office code");
    }
}
