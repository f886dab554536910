//! Why a password was refused, and why a policy configuration was refused.

/// One rule of the password policy that a candidate password breaks.
///
/// [`PasswordPolicy::check`](super::PasswordPolicy::check) returns every violation
/// at once so the form can list them all. Some variants carry a character of the
/// candidate password (to tell the user which one): show them to the user, but do
/// not write them to logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordViolation {
    /// Fewer characters than the policy's minimum.
    #[error("the password is too short: {len} characters, at least {min} required")]
    TooShort {
        /// The minimum length, in characters.
        min: usize,
        /// The candidate's length, in characters.
        len: usize,
    },
    /// More characters than the policy's maximum.
    #[error("the password is too long: {len} characters, at most {max} allowed")]
    TooLong {
        /// The maximum length, in characters.
        max: usize,
        /// The candidate's length, in characters.
        len: usize,
    },
    /// No upper-case letter.
    #[error("the password must contain an upper-case letter")]
    MissingUppercase,
    /// No lower-case letter.
    #[error("the password must contain a lower-case letter")]
    MissingLowercase,
    /// No digit 0-9.
    #[error("the password must contain a digit")]
    MissingDigit,
    /// No special character (a symbol or punctuation mark such as `! ? # @ _ -`).
    #[error("the password must contain a special character such as ! ? # @ _ -")]
    MissingSpecial,
    /// The same character three or more times in a row.
    #[error("the password repeats the character '{ch}' more than {max} times in a row")]
    RepeatedCharacters {
        /// The repeated character.
        ch: char,
        /// The most repetitions in a row allowed.
        max: usize,
    },
    /// A space, tab, line break or other blank.
    #[error("the password must not contain spaces or other blank characters")]
    ContainsWhitespace,
    /// A control or invisible character (e.g. a zero-width space) that cannot be typed reliably.
    #[error("the password contains the invisible or control character U+{code:04X}")]
    InvalidCharacter {
        /// The character's Unicode code point.
        code: u32,
    },
    /// One of the holder's names (given name or family name, a word of at least 3 letters).
    #[error("the password must not contain your given name or family name")]
    ContainsName,
    /// The holder's tax code.
    #[error("the password must not contain your tax code")]
    ContainsTaxCode,
    /// One of the holder's login numbers.
    #[error("the password must not contain your login number")]
    ContainsLoginNumber,
    /// The holder's date of birth, in any common form (01021980, 1980-02-01, 01/02/80, ...).
    #[error("the password must not contain your date of birth")]
    ContainsBirthDate,
    /// The same as one of the last passwords, or one in use within the history window.
    #[error(
        "the password must differ from your last {last} passwords and from any password used in the last {months} months"
    )]
    RecentlyUsed {
        /// How many of the most recent passwords are refused.
        last: usize,
        /// The window, in months, in which any password used is refused.
        months: u32,
    },
}

/// Why a password-policy configuration was refused. The bounds keep a
/// configuration from weakening the rules of docs/domain.md §5: it may only
/// make them stricter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyConfigError {
    /// `min_len` is below the legal floor.
    #[error("password min_len {min} is below the allowed minimum of {floor}")]
    MinTooSmall {
        /// The configured minimum.
        min: usize,
        /// The smallest allowed value.
        floor: usize,
    },
    /// `max_len` is smaller than `min_len`.
    #[error("password max_len {max} is smaller than min_len {min}")]
    MaxBelowMin {
        /// The configured minimum.
        min: usize,
        /// The configured maximum.
        max: usize,
    },
    /// `max_len` exceeds the ceiling.
    #[error("password max_len {max} exceeds the allowed maximum of {ceiling}")]
    MaxTooLarge {
        /// The configured maximum.
        max: usize,
        /// The largest allowed value.
        ceiling: usize,
    },
    /// `history_count` is outside the allowed range.
    #[error("password history_count {count} must be between {min} and {max}")]
    HistoryCount {
        /// The configured value.
        count: usize,
        /// The smallest allowed value.
        min: usize,
        /// The largest allowed value.
        max: usize,
    },
    /// `history_months` is outside the allowed range.
    #[error("password history_months {months} must be between {min} and {max}")]
    HistoryMonths {
        /// The configured value.
        months: u32,
        /// The smallest allowed value.
        min: u32,
        /// The largest allowed value.
        max: u32,
    },
    /// `max_age_days` is outside the allowed range.
    #[error("password max_age_days {days} must be between 1 and {max}")]
    MaxAge {
        /// The configured value.
        days: u32,
        /// The largest allowed value.
        max: u32,
    },
    /// A warning is not strictly between 0 and `max_age_days`.
    #[error(
        "password expiry warning at {days} days must be between 1 and max_age_days - 1 ({max_age})"
    )]
    Warning {
        /// The configured warning.
        days: u32,
        /// The configured maximum age.
        max_age: u32,
    },
}
