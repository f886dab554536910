//! The password policy of credential level 1 (docs/domain.md §5).
//!
//! - [`PasswordPolicy::check`]: composition and personal-data rules, all
//!   violations at once;
//! - [`PasswordPolicy::check_history`]: not one of the last 5 passwords, nor any in
//!   use in the last 15 months;
//! - [`PasswordPolicy::expires_at`], [`PasswordPolicy::warning_dates`],
//!   [`PasswordPolicy::status`]: expiry after 180 days, warnings at 7 and 2 days.
//!
//! Lengths are counted in Unicode characters, not bytes.

mod expiry;
mod history;
mod personal;
mod violation;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use expiry::PasswordAge;
pub use history::PasswordHistoryEntry;
pub use violation::{PasswordViolation, PolicyConfigError};

/// The most times the same character may appear in a row ("aa" is fine, "aaa" is not).
pub const MAX_REPEATED: usize = 2;
/// The smallest `min_len` a configuration may set (the legal minimum).
pub const MIN_LEN_FLOOR: usize = 8;
/// The largest `max_len` a configuration may set.
pub const MAX_LEN_CEILING: usize = 256;
/// The fewest recent passwords a configuration may refuse to reuse.
pub const HISTORY_COUNT_FLOOR: usize = 5;
/// The most recent passwords a configuration may refuse to reuse (bounds the slow hash checks).
pub const HISTORY_COUNT_CEILING: usize = 50;
/// The shortest reuse window, in months, a configuration may set.
pub const HISTORY_MONTHS_FLOOR: u32 = 15;
/// The longest reuse window, in months, a configuration may set.
pub const HISTORY_MONTHS_CEILING: u32 = 120;
/// The longest password lifetime, in days, a configuration may set.
pub const MAX_AGE_CEILING: u32 = 180;

/// The configurable knobs of the password policy, as read from configuration.
/// Every field has a default (the rules of docs/domain.md §5); turn it into a
/// [`PasswordPolicy`] with [`PasswordPolicy::from_settings`], which refuses values
/// that would weaken the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicySettings {
    /// Minimum length in characters (default 8, at least 8).
    pub min_len: usize,
    /// Maximum length in characters (default 64, at most 256).
    pub max_len: usize,
    /// How many of the most recent passwords may not be reused (default 5).
    pub history_count: usize,
    /// Any password in use within this many months may not be reused (default 15).
    pub history_months: u32,
    /// Days after which a password expires (default 180, at most 180).
    pub max_age_days: u32,
    /// Days before expiry at which the holder is warned (default 7 and 2).
    pub warning_days: Vec<u32>,
}

impl Default for PasswordPolicySettings {
    fn default() -> Self {
        PasswordPolicySettings {
            min_len: 8,
            max_len: 64,
            history_count: 5,
            history_months: 15,
            max_age_days: 180,
            warning_days: vec![7, 2],
        }
    }
}

/// A validated password policy. Deserializes from [`PasswordPolicySettings`]
/// (validating it), so it can sit directly in a configuration struct.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PasswordPolicySettings", into = "PasswordPolicySettings")]
pub struct PasswordPolicy {
    settings: PasswordPolicySettings,
}

impl TryFrom<PasswordPolicySettings> for PasswordPolicy {
    type Error = PolicyConfigError;

    fn try_from(settings: PasswordPolicySettings) -> Result<Self, Self::Error> {
        PasswordPolicy::from_settings(settings)
    }
}

impl From<PasswordPolicy> for PasswordPolicySettings {
    fn from(policy: PasswordPolicy) -> Self {
        policy.settings
    }
}

/// What is known about the holder, so a password cannot contain it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordContext<'a> {
    /// Given names and family names (or a company name); each word of 3 or more
    /// letters is checked, case- and accent-insensitively.
    pub names: Vec<&'a str>,
    /// The holder's tax code (codice fiscale) or VAT number.
    pub tax_code: Option<&'a str>,
    /// The holder's login numbers / login ids.
    pub login_numbers: Vec<&'a str>,
    /// The holder's date of birth.
    pub birth_date: Option<NaiveDate>,
}

impl PasswordPolicy {
    /// A policy with the given length bounds and the default history and expiry rules.
    ///
    /// # Errors
    ///
    /// When `min_len < 8`, `max_len < min_len` or `max_len > 256`.
    pub fn new(min_len: usize, max_len: usize) -> Result<PasswordPolicy, PolicyConfigError> {
        PasswordPolicy::from_settings(PasswordPolicySettings {
            min_len,
            max_len,
            ..PasswordPolicySettings::default()
        })
    }

    /// Validates `settings`: the configuration may make the rules stricter, never weaker.
    ///
    /// # Errors
    ///
    /// The first setting out of its allowed range (see the `*_FLOOR` / `*_CEILING` constants).
    pub fn from_settings(
        settings: PasswordPolicySettings,
    ) -> Result<PasswordPolicy, PolicyConfigError> {
        let s = &settings;
        if s.min_len < MIN_LEN_FLOOR {
            return Err(PolicyConfigError::MinTooSmall {
                min: s.min_len,
                floor: MIN_LEN_FLOOR,
            });
        }
        if s.max_len < s.min_len {
            return Err(PolicyConfigError::MaxBelowMin {
                min: s.min_len,
                max: s.max_len,
            });
        }
        if s.max_len > MAX_LEN_CEILING {
            return Err(PolicyConfigError::MaxTooLarge {
                max: s.max_len,
                ceiling: MAX_LEN_CEILING,
            });
        }
        if !(HISTORY_COUNT_FLOOR..=HISTORY_COUNT_CEILING).contains(&s.history_count) {
            return Err(PolicyConfigError::HistoryCount {
                count: s.history_count,
                min: HISTORY_COUNT_FLOOR,
                max: HISTORY_COUNT_CEILING,
            });
        }
        if !(HISTORY_MONTHS_FLOOR..=HISTORY_MONTHS_CEILING).contains(&s.history_months) {
            return Err(PolicyConfigError::HistoryMonths {
                months: s.history_months,
                min: HISTORY_MONTHS_FLOOR,
                max: HISTORY_MONTHS_CEILING,
            });
        }
        if !(1..=MAX_AGE_CEILING).contains(&s.max_age_days) {
            return Err(PolicyConfigError::MaxAge {
                days: s.max_age_days,
                max: MAX_AGE_CEILING,
            });
        }
        if let Some(&days) = s
            .warning_days
            .iter()
            .find(|&&w| w == 0 || w >= s.max_age_days)
        {
            return Err(PolicyConfigError::Warning {
                days,
                max_age: s.max_age_days,
            });
        }
        Ok(PasswordPolicy { settings })
    }

    /// The validated settings.
    #[must_use]
    pub fn settings(&self) -> &PasswordPolicySettings {
        &self.settings
    }

    /// Minimum length, in characters.
    #[must_use]
    pub fn min_len(&self) -> usize {
        self.settings.min_len
    }

    /// Maximum length, in characters.
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.settings.max_len
    }

    /// Checks `candidate` against the composition rules and the holder's personal
    /// data in `ctx`. History is checked separately ([`PasswordPolicy::check_history`])
    /// because it needs the slow hash verifier.
    ///
    /// # Errors
    ///
    /// Every rule broken, in a stable order (length, characters, composition,
    /// repetition, personal data), each listed once.
    pub fn check(
        &self,
        candidate: &str,
        ctx: &PasswordContext<'_>,
    ) -> Result<(), Vec<PasswordViolation>> {
        let mut out = Vec::new();

        let len = candidate.chars().count();
        if len < self.settings.min_len {
            out.push(PasswordViolation::TooShort {
                min: self.settings.min_len,
                len,
            });
        }
        if len > self.settings.max_len {
            out.push(PasswordViolation::TooLong {
                max: self.settings.max_len,
                len,
            });
        }

        if candidate.chars().any(char::is_whitespace) {
            out.push(PasswordViolation::ContainsWhitespace);
        }
        if let Some(c) = candidate
            .chars()
            .find(|&c| !c.is_whitespace() && is_invisible(c))
        {
            out.push(PasswordViolation::InvalidCharacter { code: u32::from(c) });
        }

        if !candidate.chars().any(char::is_uppercase) {
            out.push(PasswordViolation::MissingUppercase);
        }
        if !candidate.chars().any(char::is_lowercase) {
            out.push(PasswordViolation::MissingLowercase);
        }
        if !candidate.chars().any(|c| c.is_ascii_digit()) {
            out.push(PasswordViolation::MissingDigit);
        }
        if !candidate.chars().any(is_special) {
            out.push(PasswordViolation::MissingSpecial);
        }

        for ch in repeated_runs(candidate) {
            out.push(PasswordViolation::RepeatedCharacters {
                ch,
                max: MAX_REPEATED,
            });
        }

        personal::check_personal_data(candidate, ctx, &mut out);

        if out.is_empty() { Ok(()) } else { Err(out) }
    }
}

/// A special character: printable, neither a letter, a digit nor a blank.
fn is_special(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !is_invisible(c)
}

/// Control characters and the common invisible format characters (zero-width
/// spaces and joiners, word joiner, byte-order mark, soft hyphen, bidi marks).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// The distinct characters that appear more than [`MAX_REPEATED`] times in a row,
/// in order of first such run.
fn repeated_runs(s: &str) -> Vec<char> {
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    let mut run = 0usize;
    for c in s.chars() {
        run = if prev == Some(c) { run + 1 } else { 1 };
        prev = Some(c);
        if run == MAX_REPEATED + 1 && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

#[cfg(test)]
mod tests;
