//! The Italian tax code (codice fiscale), DM 23/12/1976.
//!
//! Two forms, visible in the type: [`PersonalTaxCode`] (16 characters, natural
//! persons) and [`NumericTaxCode`] (11 digits, companies and other bodies);
//! [`TaxCode`] is either.
//!
//! A personal code is `CCC NNN YY M DD PPPP K`: three letters from the family name,
//! three from the given name ([`family_name_code`], [`given_name_code`]), the year
//! (two digits), the month (a letter of `ABCDEHLMPRST`), the day (plus 40 for
//! women), the Belfiore code of the place of birth (a letter and three digits) and
//! a check character.
//!
//! Personal codes may be *omocodes*: when two people would get the same code, the
//! digits are replaced, right to left, by `L M N P Q R S T U V` (0-9). Any of the
//! 128 combinations of the seven digit positions is accepted, and the check
//! character is computed over the code as written. [`PersonalTaxCode::canonical`]
//! gives back the code with digits, which is what decoding and
//! [`PersonalTaxCode::check_person`] use.
//!
//! Input is trimmed, spaces inside are ignored and letters are upper-cased (ASCII
//! only, so an accented letter is reported rather than silently changed).

mod decode;
mod error;
mod omocodia;
mod person;

use std::fmt;
use std::str::FromStr;

pub use super::name_codes::{family_name_code, given_name_code};
pub use error::{Expected, TaxCodeError};
pub use person::{PersonCheck, TaxCodeMismatch};

use super::vat_number::luhn_check_digit;
use omocodia::{DIGIT_POSITIONS, check_character, digit_value, max_day, month_number};

/// Sex, as encoded in the day of birth (+40 for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// A 16-character personal tax code, valid and upper-case, omocode letters kept
/// as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalTaxCode(String);

/// An 11-digit tax code of a company or other body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumericTaxCode(String);

/// Either form of tax code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaxCode {
    /// 16 characters: a natural person.
    Personal(PersonalTaxCode),
    /// 11 digits: a company or other body.
    Numeric(NumericTaxCode),
}

/// Trims, drops spaces and upper-cases ASCII letters.
fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl TaxCode {
    /// Parses either form, case-insensitively; spaces are ignored. Eleven
    /// characters starting with a digit are read as a numeric code; anything
    /// else must be a 16-character personal code.
    pub fn parse(input: &str) -> Result<TaxCode, TaxCodeError> {
        let s = normalise(input);
        match s.chars().count() {
            0 => Err(TaxCodeError::Empty),
            11 if s.starts_with(|c: char| c.is_ascii_digit()) => {
                NumericTaxCode::parse(&s).map(TaxCode::Numeric)
            }
            16 => PersonalTaxCode::parse(&s).map(TaxCode::Personal),
            found => Err(TaxCodeError::WrongLength { found }),
        }
    }

    /// The code, upper-case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            TaxCode::Personal(p) => &p.0,
            TaxCode::Numeric(n) => &n.0,
        }
    }

    /// The personal code, if this is one.
    #[must_use]
    pub fn as_personal(&self) -> Option<&PersonalTaxCode> {
        match self {
            TaxCode::Personal(p) => Some(p),
            TaxCode::Numeric(_) => None,
        }
    }
}

impl PersonalTaxCode {
    /// Parses a 16-character code, checking in order: length, the kind of each
    /// character, the month letter, the day, and the check character.
    pub fn parse(input: &str) -> Result<PersonalTaxCode, TaxCodeError> {
        let s = normalise(input);
        let len = s.chars().count();
        if len == 0 {
            return Err(TaxCodeError::Empty);
        }
        if len == 11 && s.chars().all(|c| c.is_ascii_digit()) {
            return Err(TaxCodeError::WrongForm { expected: 16 });
        }
        if len != 16 {
            return Err(TaxCodeError::WrongLength { found: len });
        }
        for (i, c) in s.chars().enumerate() {
            let expected = if DIGIT_POSITIONS.contains(&i) {
                Expected::DigitOrOmocodeLetter
            } else {
                Expected::Letter
            };
            let ok = match expected {
                Expected::Letter => c.is_ascii_uppercase(),
                _ => u8::try_from(c).ok().and_then(digit_value).is_some(),
            };
            if !ok {
                return Err(TaxCodeError::InvalidCharacter {
                    position: i + 1,
                    found: c,
                    expected,
                });
            }
        }
        // From here on the code is 16 ASCII characters.
        let code = PersonalTaxCode(s);
        let month_letter = code.0.as_bytes()[8];
        let Some(month) = month_number(month_letter) else {
            return Err(TaxCodeError::InvalidMonth {
                found: char::from(month_letter),
            });
        };
        let day = code.encoded_day();
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(TaxCodeError::InvalidDay { day });
        }
        if day % 40 > max_day(month) {
            return Err(TaxCodeError::DayNotInMonth {
                day: day % 40,
                month,
            });
        }
        let bytes = code.0.as_bytes();
        let expected = check_character(&bytes[..15]);
        if expected != bytes[15] {
            return Err(TaxCodeError::WrongCheckCharacter {
                expected: char::from(expected),
                found: char::from(bytes[15]),
            });
        }
        Ok(code)
    }

    /// The code, upper-case, as given (omocode letters kept).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl NumericTaxCode {
    /// Parses an 11-digit code.
    ///
    /// Only the check digit (the VAT number's Luhn variant) is verified, not the
    /// office code of digits 8-10: codes given to associations and public bodies
    /// (starting with 8 or 9) and older codes do not follow the VAT number's
    /// office-code rule, and refusing a real code is worse than accepting a
    /// well-formed one that was never issued.
    pub fn parse(input: &str) -> Result<NumericTaxCode, TaxCodeError> {
        let s = normalise(input);
        let len = s.chars().count();
        if len == 0 {
            return Err(TaxCodeError::Empty);
        }
        if len == 16 {
            return Err(TaxCodeError::WrongForm { expected: 11 });
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(TaxCodeError::InvalidCharacter {
                position: i + 1,
                found: c,
                expected: Expected::Digit,
            });
        }
        if len != 11 {
            return Err(TaxCodeError::WrongLength { found: len });
        }
        let expected = luhn_check_digit(&s.as_bytes()[..10]);
        let found = char::from(s.as_bytes()[10]);
        if expected != found {
            return Err(TaxCodeError::WrongCheckCharacter { expected, found });
        }
        Ok(NumericTaxCode(s))
    }

    /// The eleven digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_value {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = TaxCodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

string_value!(PersonalTaxCode, NumericTaxCode, TaxCode);

#[cfg(test)]
mod tests;
