//! Why a tax code is refused, in words a form can show beside the field.

use std::fmt;

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
