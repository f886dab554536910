//! Phone numbers in E.164 form, with +39 (Italy) assumed when no prefix is given.

use std::fmt;

/// A phone number stored as `+<country code><number>`, digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was entered.
    #[error("the phone number is empty")]
    Empty,
    /// A character other than digits, spaces, dots, dashes, brackets or a leading +.
    #[error("the character '{0}' is not allowed in a phone number")]
    BadChar(char),
    /// Too few or too many digits for E.164.
    #[error("a phone number has 6 to 15 digits including the country code, {0} found")]
    WrongLength(usize),
}

impl PhoneNumber {
    /// Parses a number: `+44 20 7946 0958`, `0039 333 1234567` or, with the Italian
    /// prefix assumed, `333 123 4567`. Spaces, dots, dashes and brackets are ignored.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (explicit, rest) = match s.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' | '/' => {}
                other => return Err(PhoneError::BadChar(other)),
            }
        }
        let international = if explicit {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else {
            format!("39{digits}")
        };
        if !(6..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(PhoneError::WrongLength(international.len()));
        }
        Ok(PhoneNumber(format!("+{international}")))
    }

    /// The E.164 form, e.g. `+393331234567`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number is Italian (+39).
    #[must_use]
    pub fn is_italian(&self) -> bool {
        self.0.starts_with("+39")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_prefix_is_the_default() {
        assert_eq!(
            PhoneNumber::parse("333 123 4567").unwrap().as_str(),
            "+393331234567"
        );
        assert_eq!(
            PhoneNumber::parse("06-1234.5678").unwrap().as_str(),
            "+390612345678"
        );
        assert_eq!(
            PhoneNumber::parse("0039 333 1234567").unwrap().as_str(),
            "+393331234567"
        );
        let uk = PhoneNumber::parse("+44 (20) 7946 0958").unwrap();
        assert_eq!(uk.as_str(), "+442079460958");
        assert!(!uk.is_italian());
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(PhoneNumber::parse(" "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("333-abc"), Err(PhoneError::BadChar('a')));
        assert_eq!(
            PhoneNumber::parse("+1234567890123456"),
            Err(PhoneError::WrongLength(16))
        );
        assert_eq!(PhoneNumber::parse("+12"), Err(PhoneError::WrongLength(2)));
    }
}
