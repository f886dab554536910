//! Login ids: `<number>@<domain>`, the username of the customer area.

use std::fmt;

use crate::ids::LoginNumber;

/// A login id such as `123456@example.it`. The domain is the provider's own
/// (configurable); the number is at least 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginId {
    number: LoginNumber,
    domain: String,
}

/// Why a login id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginIdError {
    /// Not of the form `number@domain`.
    #[error("a login id has the form 123456@{0}")]
    Malformed(String),
    /// The number has fewer than 6 digits or is not a number.
    #[error("the number before @ must have at least 6 digits")]
    BadNumber,
    /// The domain is not the one this provider issues ids for.
    #[error("login ids end with @{expected}")]
    WrongDomain {
        /// The provider's domain.
        expected: String,
    },
}

impl LoginId {
    /// Builds the id of a number under the provider's domain.
    #[must_use]
    pub fn new(number: LoginNumber, domain: &str) -> LoginId {
        LoginId {
            number,
            domain: domain.to_ascii_lowercase(),
        }
    }

    /// Parses user input against the provider's domain. A bare number is accepted
    /// too, since users often type only the digits.
    pub fn parse(input: &str, domain: &str) -> Result<LoginId, LoginIdError> {
        let s = input.trim();
        let (number, dom) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (s, None),
        };
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(if dom.is_none() && !number.is_empty() {
                LoginIdError::Malformed(domain.to_owned())
            } else {
                LoginIdError::BadNumber
            });
        }
        if let Some(d) = dom
            && !d.eq_ignore_ascii_case(domain)
        {
            return Err(LoginIdError::WrongDomain {
                expected: domain.to_owned(),
            });
        }
        let n = number
            .parse::<u64>()
            .ok()
            .filter(|_| !number.starts_with('0'))
            .and_then(LoginNumber::new)
            .ok_or(LoginIdError::BadNumber)?;
        Ok(LoginId::new(n, domain))
    }

    /// The numeric part.
    #[must_use]
    pub fn number(&self) -> LoginNumber {
        self.number
    }

    /// The domain part.
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.domain
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.number, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_and_bare_forms() {
        let id = LoginId::parse("123456@Example.it", "example.it").unwrap();
        assert_eq!(id.to_string(), "123456@example.it");
        assert_eq!(LoginId::parse(" 123456 ", "example.it").unwrap(), id);
    }

    #[test]
    fn rejects_precisely() {
        assert_eq!(
            LoginId::parse("12345@example.it", "example.it"),
            Err(LoginIdError::BadNumber)
        );
        assert_eq!(
            LoginId::parse("012345@example.it", "example.it"),
            Err(LoginIdError::BadNumber)
        );
        assert_eq!(
            LoginId::parse("123456@other.it", "example.it"),
            Err(LoginIdError::WrongDomain {
                expected: "example.it".into()
            })
        );
        assert_eq!(
            LoginId::parse("abc", "example.it"),
            Err(LoginIdError::Malformed("example.it".into()))
        );
    }
}
