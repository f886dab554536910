//! The Italian tax code (codice fiscale), DM 23/12/1976.
//!
//! Two forms, visible in the type: [`PersonalTaxCode`] (16 characters, natural
//! persons) and [`NumericTaxCode`] (11 digits, companies and other bodies).
//! Personal codes may be *omocodes*: when two people would get the same code, the
//! digits are replaced, right to left, by `L M N P Q R S T U V`; any of the 128
//! combinations of the seven digit positions is accepted, and the check character
//! is computed over the code as written.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::name_codes::{family_name_code, given_name_code};
use super::vat_number::luhn_check_digit;
use crate::i18n::{Lang, Localized, pick};

/// Sex, as encoded in the day of birth (+40 for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// The letters that stand for 0-9 in omocodes.
const OMOCODE_LETTERS: &[u8; 10] = b"LMNPQRSTUV";
/// Positions (0-based) that hold digits, or their omocode letters.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd (1st, 3rd, ...) positions for the check character.
const ODD_VALUES: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// What kind of character a position needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A letter A-Z.
    Letter,
    /// A digit, or one of the omocode letters L M N P Q R S T U V.
    Digit,
}

/// Why a tax code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeError {
    /// Nothing was entered.
    #[error("the tax code is empty")]
    Empty,
    /// Neither 16 characters nor 11 digits.
    #[error("a tax code has 16 characters (or 11 digits), {found} found")]
    WrongLength {
        /// Characters found.
        found: usize,
    },
    /// A character of the wrong kind.
    #[error("character {position} ('{found}') should be {expected:?}")]
    InvalidCharacter {
        /// 1-based position.
        position: usize,
        /// What was there.
        found: char,
        /// What belongs there.
        expected: Expected,
    },
    /// The 9th character is not a month letter.
    #[error("'{found}' (character 9) is not a month letter (A B C D E H L M P R S T)")]
    InvalidMonth {
        /// What was there.
        found: char,
    },
    /// The day of birth is not 1-31 (men) or 41-71 (women).
    #[error("the day of birth {day} is not valid")]
    InvalidDay {
        /// The day as encoded.
        day: u32,
    },
    /// The check character does not match.
    #[error("the check character should be '{expected}', not '{found}'")]
    WrongCheckCharacter {
        /// The computed one.
        expected: char,
        /// The one given.
        found: char,
    },
    /// A 16-character code was required (a natural person) but 11 digits were given, or vice versa.
    #[error("this kind of subject needs a {expected}-character tax code")]
    WrongForm {
        /// 16 or 11.
        expected: usize,
    },
}

impl Localized for TaxCodeError {
    fn message(&self, lang: Lang) -> String {
        match self {
            TaxCodeError::Empty => pick(
                lang,
                "Inserisci il codice fiscale.".into(),
                "Enter the tax code.".into(),
            ),
            TaxCodeError::WrongLength { found } => pick(
                lang,
                format!(
                    "Il codice fiscale ha 16 caratteri (11 cifre per le società): ne hai inseriti {found}."
                ),
                format!(
                    "The tax code has 16 characters (11 digits for companies): {found} entered."
                ),
            ),
            TaxCodeError::InvalidCharacter {
                position,
                found,
                expected,
            } => match expected {
                Expected::Letter => pick(
                    lang,
                    format!("Il carattere {position} ('{found}') deve essere una lettera."),
                    format!("Character {position} ('{found}') must be a letter."),
                ),
                Expected::Digit => pick(
                    lang,
                    format!("Il carattere {position} ('{found}') deve essere una cifra."),
                    format!("Character {position} ('{found}') must be a digit."),
                ),
            },
            TaxCodeError::InvalidMonth { found } => pick(
                lang,
                format!("Il carattere 9 ('{found}') non indica un mese (A B C D E H L M P R S T)."),
                format!("Character 9 ('{found}') is not a month letter (A B C D E H L M P R S T)."),
            ),
            TaxCodeError::InvalidDay { day } => pick(
                lang,
                format!("Il giorno di nascita codificato ({day:02}) non è valido."),
                format!("The encoded day of birth ({day:02}) is not valid."),
            ),
            TaxCodeError::WrongCheckCharacter { expected, found } => pick(
                lang,
                format!(
                    "Il carattere di controllo dovrebbe essere '{expected}' e non '{found}': controlla il codice."
                ),
                format!(
                    "The check character should be '{expected}', not '{found}': please check the code."
                ),
            ),
            TaxCodeError::WrongForm { expected: 16 } => pick(
                lang,
                "Per una persona fisica il codice fiscale ha 16 caratteri.".into(),
                "A natural person's tax code has 16 characters.".into(),
            ),
            TaxCodeError::WrongForm { expected } => pick(
                lang,
                format!("Serve un codice fiscale di {expected} caratteri."),
                format!("A tax code of {expected} characters is needed."),
            ),
        }
    }
}

/// The check character of the first 15 characters (upper-case ASCII).
fn check_character(first15: &[u8]) -> char {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let index = if c.is_ascii_digit() {
                usize::from(c - b'0')
            } else {
                usize::from(c - b'A')
            };
            if i % 2 == 0 {
                u32::from(ODD_VALUES[index])
            } else {
                u32::try_from(index).unwrap_or(0)
            }
        })
        .sum();
    char::from(b'A' + u8::try_from(sum % 26).unwrap_or(0))
}

/// The digit a position stands for, omocode letters included.
fn digit_value(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        Some(c - b'0')
    } else {
        OMOCODE_LETTERS
            .iter()
            .position(|&l| l == c)
            .and_then(|p| u8::try_from(p).ok())
    }
}

fn normalise(input: &str) -> String {
    input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// A 16-character personal tax code, valid and upper-case.
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

impl TaxCode {
    /// Parses either form, case-insensitively; spaces are ignored.
    pub fn parse(input: &str) -> Result<TaxCode, TaxCodeError> {
        let s = normalise(input);
        match s.chars().count() {
            0 => Err(TaxCodeError::Empty),
            11 => NumericTaxCode::parse(&s).map(TaxCode::Numeric),
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
}

impl PersonalTaxCode {
    /// Parses a 16-character code.
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
        let bytes = s.as_bytes();
        for (i, c) in s.chars().enumerate() {
            let expected = if DIGIT_POSITIONS.contains(&i) {
                Expected::Digit
            } else {
                Expected::Letter
            };
            let ok = match expected {
                Expected::Letter => c.is_ascii_uppercase(),
                Expected::Digit => c.is_ascii() && digit_value(bytes[i]).is_some(),
            };
            if !ok {
                return Err(TaxCodeError::InvalidCharacter {
                    position: i + 1,
                    found: c,
                    expected,
                });
            }
        }
        if !MONTHS.contains(&bytes[8]) {
            return Err(TaxCodeError::InvalidMonth {
                found: char::from(bytes[8]),
            });
        }
        let code = PersonalTaxCode(s);
        let day = code.encoded_day();
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(TaxCodeError::InvalidDay { day });
        }
        let expected = check_character(&code.0.as_bytes()[..15]);
        let found = char::from(code.0.as_bytes()[15]);
        if expected != found {
            return Err(TaxCodeError::WrongCheckCharacter { expected, found });
        }
        Ok(code)
    }

    /// The code, upper-case, as given (omocode letters kept).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn number_at(&self, positions: &[usize]) -> u32 {
        let b = self.0.as_bytes();
        positions.iter().fold(0, |acc, &p| {
            acc * 10 + u32::from(digit_value(b[p]).unwrap_or(0))
        })
    }

    fn encoded_day(&self) -> u32 {
        self.number_at(&[9, 10])
    }

    /// Whether any digit was replaced by an omocode letter.
    #[must_use]
    pub fn is_omocode(&self) -> bool {
        DIGIT_POSITIONS
            .iter()
            .any(|&p| !self.0.as_bytes()[p].is_ascii_digit())
    }

    /// The code with omocode letters turned back into digits and the check
    /// character recomputed: the code as it was before any omocodia.
    #[must_use]
    pub fn canonical(&self) -> PersonalTaxCode {
        let mut b = self.0.as_bytes().to_vec();
        for &p in &DIGIT_POSITIONS {
            if let Some(d) = digit_value(b[p]) {
                b[p] = b'0' + d;
            }
        }
        b[15] = u8::try_from(u32::from(check_character(&b[..15]))).unwrap_or(b'A');
        PersonalTaxCode(String::from_utf8_lossy(&b).into_owned())
    }

    /// Sex encoded in the day (+40 for women).
    #[must_use]
    pub fn sex(&self) -> Sex {
        if self.encoded_day() > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// Day of birth (1-31).
    #[must_use]
    pub fn birth_day(&self) -> u32 {
        self.encoded_day() % 40
    }

    /// Month of birth (1-12).
    #[must_use]
    pub fn birth_month(&self) -> u32 {
        let b = self.0.as_bytes()[8];
        MONTHS
            .iter()
            .position(|&m| m == b)
            .and_then(|p| u32::try_from(p + 1).ok())
            .unwrap_or(1)
    }

    /// The two-digit year of birth.
    #[must_use]
    pub fn birth_year_two_digits(&self) -> u32 {
        self.number_at(&[6, 7])
    }

    /// The Belfiore code of the place of birth (`H501`, or `Z...` abroad), with
    /// omocode letters turned back into digits.
    #[must_use]
    pub fn birth_place_code(&self) -> String {
        let b = self.0.as_bytes();
        format!("{}{:03}", char::from(b[11]), self.number_at(&[12, 13, 14]))
    }

    /// The date of birth, with the century taken from the one that puts the
    /// two-digit year nearest to `declared`; `None` if the day does not exist
    /// in that month (31 February).
    #[must_use]
    pub fn birth_date_with(&self, declared: NaiveDate) -> Option<NaiveDate> {
        let yy = i32::try_from(self.birth_year_two_digits()).ok()?;
        let century = declared.year() - declared.year().rem_euclid(100);
        let year = [century - 100, century, century + 100]
            .into_iter()
            .map(|c| c + yy)
            .min_by_key(|y| (y - declared.year()).abs())?;
        NaiveDate::from_ymd_opt(year, self.birth_month(), self.birth_day())
    }

    /// Checks the code against the data a person declared; lists every disagreement.
    pub fn check_person(&self, details: &PersonCheck<'_>) -> Result<(), Vec<TaxCodeMismatch>> {
        let mut mismatches = Vec::new();
        let family = family_name_code(details.family_name);
        if self.0[0..3] != family {
            mismatches.push(TaxCodeMismatch::FamilyName {
                in_code: self.0[0..3].to_owned(),
                from_name: family,
            });
        }
        let given = given_name_code(details.given_name);
        if self.0[3..6] != given {
            mismatches.push(TaxCodeMismatch::GivenName {
                in_code: self.0[3..6].to_owned(),
                from_name: given,
            });
        }
        if self.birth_date_with(details.birth_date) != Some(details.birth_date) {
            mismatches.push(TaxCodeMismatch::BirthDate);
        }
        if self.sex() != details.sex {
            mismatches.push(TaxCodeMismatch::Sex);
        }
        if let Some(place) = details.birth_place_code {
            let in_code = self.birth_place_code();
            if !place.trim().eq_ignore_ascii_case(&in_code) {
                mismatches.push(TaxCodeMismatch::BirthPlace {
                    in_code,
                    declared: place.trim().to_uppercase(),
                });
            }
        }
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(mismatches)
        }
    }
}

/// The data a person declares, to check against the tax code.
#[derive(Debug, Clone, Copy)]
pub struct PersonCheck<'a> {
    /// Family name(s).
    pub family_name: &'a str,
    /// Given name(s).
    pub given_name: &'a str,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Belfiore code of the place of birth, when declared.
    pub birth_place_code: Option<&'a str>,
}

/// One way the tax code disagrees with the declared data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeMismatch {
    /// Characters 1-3 do not derive from the family name.
    #[error("the tax code has {in_code} for the family name, which gives {from_name}")]
    FamilyName {
        /// Letters in the code.
        in_code: String,
        /// Letters the name gives.
        from_name: String,
    },
    /// Characters 4-6 do not derive from the given name.
    #[error("the tax code has {in_code} for the given name, which gives {from_name}")]
    GivenName {
        /// Letters in the code.
        in_code: String,
        /// Letters the name gives.
        from_name: String,
    },
    /// The date of birth differs.
    #[error("the date of birth does not match the tax code")]
    BirthDate,
    /// The sex differs.
    #[error("the sex does not match the tax code")]
    Sex,
    /// The place of birth differs.
    #[error("the place of birth ({declared}) does not match the tax code ({in_code})")]
    BirthPlace {
        /// Belfiore code in the tax code.
        in_code: String,
        /// Belfiore code declared.
        declared: String,
    },
}

impl Localized for TaxCodeMismatch {
    fn message(&self, lang: Lang) -> String {
        match self {
            TaxCodeMismatch::FamilyName { in_code, from_name } => pick(
                lang,
                format!(
                    "Il cognome non corrisponde al codice fiscale ({in_code} nel codice, {from_name} dal cognome)."
                ),
                format!(
                    "The family name does not match the tax code ({in_code} in the code, {from_name} from the name)."
                ),
            ),
            TaxCodeMismatch::GivenName { in_code, from_name } => pick(
                lang,
                format!(
                    "Il nome non corrisponde al codice fiscale ({in_code} nel codice, {from_name} dal nome)."
                ),
                format!(
                    "The given name does not match the tax code ({in_code} in the code, {from_name} from the name)."
                ),
            ),
            TaxCodeMismatch::BirthDate => pick(
                lang,
                "La data di nascita non corrisponde al codice fiscale.".into(),
                "The date of birth does not match the tax code.".into(),
            ),
            TaxCodeMismatch::Sex => pick(
                lang,
                "Il sesso non corrisponde al codice fiscale.".into(),
                "The sex does not match the tax code.".into(),
            ),
            TaxCodeMismatch::BirthPlace { .. } => pick(
                lang,
                "Il luogo di nascita non corrisponde al codice fiscale.".into(),
                "The place of birth does not match the tax code.".into(),
            ),
        }
    }
}

impl NumericTaxCode {
    /// Parses an 11-digit code. Only the check digit is verified: the codes of
    /// associations and public bodies (starting with 8 or 9) do not follow the
    /// VAT number's office-code rule.
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

macro_rules! display_and_serialize {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}

display_and_serialize!(PersonalTaxCode, NumericTaxCode, TaxCode);

#[cfg(test)]
#[path = "tax_code_tests.rs"]
mod tests;
