//! Email addresses: a practical subset of RFC 5321 that real mailboxes use.

use std::fmt;

/// A syntactically valid email address. The domain is lower-cased; the local
/// part is kept as typed (it may be case-sensitive on the receiving server), and
/// [`EmailAddress::normalized`] gives the form used to compare two addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    local: String,
    domain: String,
}

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("the email address is empty")]
    Empty,
    /// Longer than the 254 characters SMTP allows.
    #[error("the email address is longer than 254 characters")]
    TooLong,
    /// There must be exactly one `@`.
    #[error("the email address must contain exactly one @")]
    MissingAt,
    /// Nothing before the `@`, or more than 64 characters.
    #[error("the part before @ must be 1 to 64 characters")]
    BadLocalPart,
    /// A character not allowed in the part before the `@`.
    #[error("the character '{0}' is not allowed before @")]
    BadLocalChar(char),
    /// The domain is not a dotted name such as `example.it`.
    #[error("the domain after @ is not valid: {0}")]
    BadDomain(String),
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

impl EmailAddress {
    /// Parses an address, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::MissingAt);
        };
        if local.is_empty() || local.len() > 64 {
            return Err(EmailError::BadLocalPart);
        }
        if let Some(c) = local.chars().find(|c| !is_local_char(*c)) {
            return Err(EmailError::BadLocalChar(c));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::BadLocalChar('.'));
        }
        let domain = domain.to_ascii_lowercase();
        if !valid_domain(&domain) {
            return Err(EmailError::BadDomain(domain));
        }
        Ok(EmailAddress {
            local: local.to_owned(),
            domain,
        })
    }

    /// The address as it will be used to send mail.
    #[must_use]
    pub fn as_string(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The lower-cased form, used to compare addresses and find duplicates.
    #[must_use]
    pub fn normalized(&self) -> String {
        format!("{}@{}", self.local.to_lowercase(), self.domain)
    }

    /// The domain part, lower-cased.
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.domain
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "mario.rossi@example.it",
            " Anna+spid@Posta.Example.COM ",
            "a@b.co",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        let e = EmailAddress::parse("Anna@Example.IT").unwrap();
        assert_eq!(e.to_string(), "Anna@example.it");
        assert_eq!(e.normalized(), "anna@example.it");
    }

    #[test]
    fn rejects_with_a_precise_reason() {
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Empty));
        assert_eq!(
            EmailAddress::parse("mario.example.it"),
            Err(EmailError::MissingAt)
        );
        assert_eq!(EmailAddress::parse("a@b@c.it"), Err(EmailError::MissingAt));
        assert_eq!(
            EmailAddress::parse("ma rio@example.it"),
            Err(EmailError::BadLocalChar(' '))
        );
        assert_eq!(
            EmailAddress::parse(".mario@example.it"),
            Err(EmailError::BadLocalChar('.'))
        );
        assert!(matches!(
            EmailAddress::parse("mario@localhost"),
            Err(EmailError::BadDomain(_))
        ));
        assert!(matches!(
            EmailAddress::parse("mario@-x.it"),
            Err(EmailError::BadDomain(_))
        ));
    }
}
