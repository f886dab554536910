//! The pure parts of SAML 2.0 on the SPID profile: the levels a
//! `RequestedAuthnContext` admits, in the order they are tried, and the SPID
//! error codes with the SAML status each is answered with.

use crate::credentials::CredentialLevel;
use crate::oidc::level_of_acr;

/// The `Comparison` of a `RequestedAuthnContext` (SAML 2.0 core 3.3.2.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Exactly the level named (the default when the attribute is absent).
    Exact,
    /// The level named or a stronger one.
    Minimum,
    /// A level stronger than the one named.
    Better,
    /// The strongest level not stronger than the one named.
    Maximum,
}

impl Comparison {
    /// The comparison of an attribute value; `None` (absent) is `exact`, as
    /// SAML core says; an unknown value is `None`.
    #[must_use]
    pub fn parse(value: Option<&str>) -> Option<Comparison> {
        match value.map(str::trim) {
            None | Some("exact") => Some(Comparison::Exact),
            Some("minimum") => Some(Comparison::Minimum),
            Some("better") => Some(Comparison::Better),
            Some("maximum") => Some(Comparison::Maximum),
            Some(_) => None,
        }
    }

    /// The levels `named` admits under this comparison, in the order they are
    /// tried: the level named first when it is admitted, then the stronger
    /// ones (`minimum`, `better`) or the weaker ones (`maximum`).
    #[must_use]
    pub fn admitted(self, named: CredentialLevel) -> Vec<CredentialLevel> {
        let all = CredentialLevel::ALL;
        match self {
            Comparison::Exact => vec![named],
            Comparison::Minimum => all.into_iter().filter(|l| *l >= named).collect(),
            Comparison::Better => all.into_iter().filter(|l| *l > named).collect(),
            Comparison::Maximum => all.into_iter().rev().filter(|l| *l <= named).collect(),
        }
    }
}

/// The levels a `RequestedAuthnContext` admits, in the order they are tried
/// (the first one the identity can satisfy is performed): each
/// `AuthnContextClassRef` in the request's order, widened by the comparison,
/// each level once. Values that are not SPID levels are ignored; none at all,
/// or a comparison that admits nothing (`better` than level 3), is
/// [`SpidError::Nr12`].
pub fn admitted_levels(
    class_refs: &[&str],
    comparison: Comparison,
) -> Result<Vec<CredentialLevel>, SpidError> {
    let mut levels = Vec::new();
    for level in class_refs.iter().filter_map(|r| level_of_acr(r.trim())) {
        for admitted in comparison.admitted(level) {
            if !levels.contains(&admitted) {
                levels.push(admitted);
            }
        }
    }
    if levels.is_empty() {
        Err(SpidError::Nr12)
    } else {
        Ok(levels)
    }
}

/// The SAML status code namespace.
const STATUS: &str = "urn:oasis:names:tc:SAML:2.0:status:";

/// The SPID error codes answered to a service provider in a SAML status
/// (`StatusMessage` `ErrorCode nrNN`), after its request's signature verified.
/// The others (nr02-nr07, nr10: unavailability, a missing or bad signature, a
/// wrong binding or issuer) are shown to the holder on a page, never sent to
/// a service provider that could not be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SpidError {
    /// The request is not SAML 2.0 conformant.
    #[error("ErrorCode nr08")]
    Nr08,
    /// `Version` is missing or not 2.0.
    #[error("ErrorCode nr09")]
    Nr09,
    /// `ID` is missing or malformed.
    #[error("ErrorCode nr11")]
    Nr11,
    /// `RequestedAuthnContext` is missing, malformed or names no SPID level.
    #[error("ErrorCode nr12")]
    Nr12,
    /// `IssueInstant` is missing, malformed or outside the allowed window.
    #[error("ErrorCode nr13")]
    Nr13,
    /// `Destination` is missing or not this provider.
    #[error("ErrorCode nr14")]
    Nr14,
    /// `IsPassive` is true: the holder always takes part.
    #[error("ErrorCode nr15")]
    Nr15,
    /// The assertion consumer service (index, URL, binding) is not the
    /// service provider's.
    #[error("ErrorCode nr16")]
    Nr16,
    /// `NameIDPolicy` asks for a format other than transient.
    #[error("ErrorCode nr17")]
    Nr17,
    /// `AttributeConsumingServiceIndex` is malformed or not the provider's.
    #[error("ErrorCode nr18")]
    Nr18,
    /// Repeated wrong credentials.
    #[error("ErrorCode nr19")]
    Nr19,
    /// The holder has no credential of the level asked for.
    #[error("ErrorCode nr20")]
    Nr20,
    /// The authentication took too long.
    #[error("ErrorCode nr21")]
    Nr21,
    /// The holder denied consent to send the attributes.
    #[error("ErrorCode nr22")]
    Nr22,
    /// The identity is suspended or revoked, or its credentials blocked.
    #[error("ErrorCode nr23")]
    Nr23,
    /// The holder cancelled the authentication.
    #[error("ErrorCode nr25")]
    Nr25,
    /// The holder used an identity of another type than the one asked for.
    #[error("ErrorCode nr30")]
    Nr30,
}

impl SpidError {
    /// Every code, in order.
    pub const ALL: [SpidError; 17] = [
        SpidError::Nr08,
        SpidError::Nr09,
        SpidError::Nr11,
        SpidError::Nr12,
        SpidError::Nr13,
        SpidError::Nr14,
        SpidError::Nr15,
        SpidError::Nr16,
        SpidError::Nr17,
        SpidError::Nr18,
        SpidError::Nr19,
        SpidError::Nr20,
        SpidError::Nr21,
        SpidError::Nr22,
        SpidError::Nr23,
        SpidError::Nr25,
        SpidError::Nr30,
    ];

    /// The code (`nr19`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SpidError::Nr08 => "nr08",
            SpidError::Nr09 => "nr09",
            SpidError::Nr11 => "nr11",
            SpidError::Nr12 => "nr12",
            SpidError::Nr13 => "nr13",
            SpidError::Nr14 => "nr14",
            SpidError::Nr15 => "nr15",
            SpidError::Nr16 => "nr16",
            SpidError::Nr17 => "nr17",
            SpidError::Nr18 => "nr18",
            SpidError::Nr19 => "nr19",
            SpidError::Nr20 => "nr20",
            SpidError::Nr21 => "nr21",
            SpidError::Nr22 => "nr22",
            SpidError::Nr23 => "nr23",
            SpidError::Nr25 => "nr25",
            SpidError::Nr30 => "nr30",
        }
    }

    /// The top-level `StatusCode`: the request's fault (`Requester`), its
    /// version (`VersionMismatch`), or the authentication's (`Responder`).
    #[must_use]
    pub fn status(self) -> String {
        let kind = match self {
            SpidError::Nr09 => "VersionMismatch",
            SpidError::Nr08
            | SpidError::Nr11
            | SpidError::Nr12
            | SpidError::Nr13
            | SpidError::Nr14
            | SpidError::Nr15
            | SpidError::Nr16
            | SpidError::Nr17
            | SpidError::Nr18 => "Requester",
            _ => "Responder",
        };
        format!("{STATUS}{kind}")
    }

    /// The second-level `StatusCode`, when the rules give one.
    #[must_use]
    pub fn sub_status(self) -> Option<String> {
        let kind = match self {
            SpidError::Nr08 | SpidError::Nr09 | SpidError::Nr11 => return None,
            SpidError::Nr12 => "NoAuthnContext",
            SpidError::Nr13 => "RequestDenied",
            SpidError::Nr15 => "NoPassive",
            SpidError::Nr14 | SpidError::Nr16 | SpidError::Nr17 | SpidError::Nr18 => {
                "RequestUnsupported"
            }
            _ => "AuthnFailed",
        };
        Some(format!("{STATUS}{kind}"))
    }

    /// The `StatusMessage`: exactly `ErrorCode nrNN`.
    #[must_use]
    pub fn status_message(self) -> String {
        format!("ErrorCode {}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialLevel::{L1, L2, L3};

    const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";

    #[test]
    fn comparisons_admit_their_levels_named_first() {
        assert_eq!(Comparison::Exact.admitted(L2), vec![L2]);
        assert_eq!(Comparison::Minimum.admitted(L2), vec![L2, L3]);
        assert_eq!(Comparison::Better.admitted(L2), vec![L3]);
        assert_eq!(Comparison::Maximum.admitted(L2), vec![L2, L1]);
        assert!(Comparison::Better.admitted(L3).is_empty());
        assert_eq!(Comparison::Maximum.admitted(L1), vec![L1]);
    }

    #[test]
    fn the_comparison_is_exact_unless_it_says_otherwise() {
        assert_eq!(Comparison::parse(None), Some(Comparison::Exact));
        assert_eq!(
            Comparison::parse(Some("minimum")),
            Some(Comparison::Minimum)
        );
        assert_eq!(Comparison::parse(Some("better")), Some(Comparison::Better));
        assert_eq!(
            Comparison::parse(Some("maximum")),
            Some(Comparison::Maximum)
        );
        assert_eq!(Comparison::parse(Some("Minimum")), None);
        assert_eq!(Comparison::parse(Some("")), None);
    }

    #[test]
    fn a_requested_context_admits_spid_levels_only() {
        assert_eq!(
            admitted_levels(&[SPID_L2], Comparison::Minimum),
            Ok(vec![L2, L3])
        );
        assert_eq!(
            admitted_levels(
                &["urn:other", SPID_L2, "https://www.spid.gov.it/SpidL1"],
                Comparison::Exact
            ),
            Ok(vec![L2, L1])
        );
        assert_eq!(
            admitted_levels(&["urn:other"], Comparison::Minimum),
            Err(SpidError::Nr12)
        );
        assert_eq!(
            admitted_levels(&[], Comparison::Exact),
            Err(SpidError::Nr12)
        );
        assert_eq!(
            admitted_levels(&["https://www.spid.gov.it/SpidL3"], Comparison::Better),
            Err(SpidError::Nr12)
        );
    }

    #[test]
    fn error_codes_carry_the_rules_statuses() {
        let e = SpidError::Nr19;
        assert_eq!(e.code(), "nr19");
        assert_eq!(e.status_message(), "ErrorCode nr19");
        assert_eq!(e.status(), "urn:oasis:names:tc:SAML:2.0:status:Responder");
        assert_eq!(
            e.sub_status().as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
        );
        assert_eq!(
            SpidError::Nr09.status(),
            "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch"
        );
        assert_eq!(SpidError::Nr08.sub_status(), None);
        assert_eq!(
            SpidError::Nr15.sub_status().as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:status:NoPassive")
        );
        assert_eq!(
            SpidError::Nr12.sub_status().as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext")
        );
        // Every code is distinct and its message names it.
        let codes: std::collections::BTreeSet<&str> =
            SpidError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), SpidError::ALL.len());
        for e in SpidError::ALL {
            assert_eq!(e.to_string(), e.status_message());
        }
    }
}
