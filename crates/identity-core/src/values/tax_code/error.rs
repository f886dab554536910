//! Why a tax code is refused, in words a form can show beside the field.

use std::fmt;

use crate::i18n::{Lang, Localized, pick};

/// What kind of character a position needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A letter A-Z (name letters, month, first character of the place code,
    /// check character of a 16-character code).
    Letter,
    /// A digit, or one of the omocode letters L M N P Q R S T U V standing for
    /// one (year, day and place digits of a 16-character code).
    DigitOrOmocodeLetter,
    /// A digit 0-9 (every position of an 11-digit code).
    Digit,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Letter => "a letter",
            Expected::DigitOrOmocodeLetter => "a digit (or one of L M N P Q R S T U V)",
            Expected::Digit => "a digit",
        })
    }
}

/// Why a tax code was refused.
///
/// Positions are 1-based and counted after spaces are removed, so they match
/// the code as the user sees it once compacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeError {
    /// Nothing was entered.
    #[error("the tax code is empty")]
    Empty,
    /// Neither 16 characters nor 11 digits.
    #[error("a tax code has 16 characters (or 11 digits), {found} found")]
    WrongLength {
        /// Characters found (spaces excluded).
        found: usize,
    },
    /// A character of the wrong kind.
    #[error("character {position} ('{found}') should be {expected}")]
    InvalidCharacter {
        /// 1-based position.
        position: usize,
        /// What was there.
        found: char,
        /// What belongs there.
        expected: Expected,
    },
    /// The 9th character is not a month letter.
    #[error("character 9 ('{found}') is not a month letter (A B C D E H L M P R S T)")]
    InvalidMonth {
        /// What was there.
        found: char,
    },
    /// The day of birth (characters 10-11) is not 01-31 (men) or 41-71 (women).
    #[error("characters 10-11 give the day {day:02}, not 01-31 (men) or 41-71 (women)")]
    InvalidDay {
        /// The day as encoded (omocode letters turned into digits).
        day: u32,
    },
    /// The day of birth does not exist in the month of birth (31 April).
    #[error("day {day} does not exist in month {month}")]
    DayNotInMonth {
        /// Day of the month (1-31, the +40 of women removed).
        day: u32,
        /// Month (1-12).
        month: u32,
    },
    /// The check character (16th, or 11th digit) does not match the rest.
    #[error("the check character should be '{expected}', not '{found}'")]
    WrongCheckCharacter {
        /// The computed one.
        expected: char,
        /// The one given.
        found: char,
    },
    /// A 16-character code was required (a natural person) but 11 digits were
    /// given, or vice versa.
    #[error("this kind of subject needs a tax code of {expected} characters")]
    WrongForm {
        /// 16 or 11.
        expected: usize,
    },
}

/// The part of a 16-character code a 1-based position belongs to (Italian, English).
fn part_of_personal(position: usize) -> (&'static str, &'static str) {
    match position {
        1..=3 => ("del cognome", "of the family name"),
        4..=6 => ("del nome", "of the given name"),
        7 | 8 => ("dell'anno di nascita", "of the year of birth"),
        9 => ("del mese di nascita", "of the month of birth"),
        10 | 11 => ("del giorno di nascita", "of the day of birth"),
        12..=15 => ("del luogo di nascita", "of the place of birth"),
        _ => ("di controllo", "the check character"),
    }
}

fn invalid_character(lang: Lang, position: usize, found: char, expected: Expected) -> String {
    match expected {
        Expected::Digit => pick(
            lang,
            format!(
                "Il carattere {position} ('{found}') deve essere una cifra: il codice fiscale di 11 caratteri contiene solo cifre."
            ),
            format!(
                "Character {position} ('{found}') must be a digit: an 11-character tax code has digits only."
            ),
        ),
        Expected::Letter => {
            let (it, en) = part_of_personal(position);
            if position == 16 {
                pick(
                    lang,
                    format!(
                        "Il carattere {position} ('{found}'), quello di controllo, deve essere una lettera."
                    ),
                    format!(
                        "Character {position} ('{found}'), the check character, must be a letter."
                    ),
                )
            } else {
                pick(
                    lang,
                    format!(
                        "Il carattere {position} ('{found}'), parte {it}, deve essere una lettera."
                    ),
                    format!("Character {position} ('{found}'), part {en}, must be a letter."),
                )
            }
        }
        Expected::DigitOrOmocodeLetter => {
            let (it, en) = part_of_personal(position);
            pick(
                lang,
                format!(
                    "Il carattere {position} ('{found}'), parte {it}, deve essere una cifra (o una delle lettere L M N P Q R S T U V)."
                ),
                format!(
                    "Character {position} ('{found}'), part {en}, must be a digit (or one of the letters L M N P Q R S T U V)."
                ),
            )
        }
    }
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
                    "Il codice fiscale ha 16 caratteri (11 cifre per società ed enti): ne hai inseriti {found}."
                ),
                format!(
                    "The tax code has 16 characters (11 digits for companies and other bodies): {found} entered."
                ),
            ),
            TaxCodeError::InvalidCharacter {
                position,
                found,
                expected,
            } => invalid_character(lang, *position, *found, *expected),
            TaxCodeError::InvalidMonth { found } => pick(
                lang,
                format!(
                    "Il carattere 9 ('{found}') deve indicare il mese di nascita con una delle lettere A B C D E H L M P R S T."
                ),
                format!(
                    "Character 9 ('{found}') must give the month of birth as one of the letters A B C D E H L M P R S T."
                ),
            ),
            TaxCodeError::InvalidDay { day } => pick(
                lang,
                format!(
                    "I caratteri 10-11 indicano il giorno {day:02}, che non è valido: deve essere tra 01 e 31 (uomini) o tra 41 e 71 (donne)."
                ),
                format!(
                    "Characters 10-11 give the day {day:02}, which is not valid: it must be 01-31 (men) or 41-71 (women)."
                ),
            ),
            TaxCodeError::DayNotInMonth { day, month } => pick(
                lang,
                format!(
                    "Il codice indica il giorno {day} del mese {month}, che non esiste: controlla i caratteri 9-11."
                ),
                format!(
                    "The code gives day {day} of month {month}, which does not exist: check characters 9-11."
                ),
            ),
            TaxCodeError::WrongCheckCharacter { expected, found } => pick(
                lang,
                format!(
                    "L'ultimo carattere (di controllo) dovrebbe essere '{expected}' e non '{found}': controlla di aver copiato bene il codice."
                ),
                format!(
                    "The last (check) character should be '{expected}', not '{found}': please check the code was copied correctly."
                ),
            ),
            TaxCodeError::WrongForm { expected: 16 } => pick(
                lang,
                "Per una persona fisica il codice fiscale ha 16 caratteri, non 11 cifre.".into(),
                "A natural person's tax code has 16 characters, not 11 digits.".into(),
            ),
            TaxCodeError::WrongForm { expected } => pick(
                lang,
                format!("Per questo tipo di soggetto serve un codice fiscale di {expected} cifre."),
                format!("This kind of subject needs a tax code of {expected} digits."),
            ),
        }
    }
}
