//! Italian postcode (CAP): exactly five digits.

use std::fmt;

/// A five-digit Italian postcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

/// Why a postcode was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    /// Not five characters long.
    #[error("a postcode has 5 digits, {0} found")]
    WrongLength(usize),
    /// A character that is not a digit.
    #[error("character {position} ('{found}') is not a digit")]
    NotADigit {
        /// 1-based position.
        position: usize,
        /// The offending character.
        found: char,
    },
}

impl PostalCode {
    /// Parses a CAP, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<PostalCode, PostalCodeError> {
        let s = input.trim();
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(PostalCodeError::NotADigit {
                position: i + 1,
                found: c,
            });
        }
        if s.len() != 5 {
            return Err(PostalCodeError::WrongLength(s.len()));
        }
        Ok(PostalCode(s.to_owned()))
    }

    /// The five digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_digits_only() {
        assert_eq!(PostalCode::parse(" 00184 ").unwrap().as_str(), "00184");
        assert_eq!(
            PostalCode::parse("0018"),
            Err(PostalCodeError::WrongLength(4))
        );
        assert_eq!(
            PostalCode::parse("00A84"),
            Err(PostalCodeError::NotADigit {
                position: 3,
                found: 'A'
            })
        );
    }
}
