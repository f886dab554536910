//! Privacy consents (GDPR art. 6-7): each optional purpose is given or refused on
//! the registration form, recorded with its time and the version of the notice the
//! holder read, and can be withdrawn (or given) later. Processing needed to provide
//! the service rests on the contract, not on consent, so it is acknowledged (the
//! notice was read) rather than consented to.

use chrono::{DateTime, Utc};

/// The version of the privacy notice the forms show. Bump it when the text changes:
/// every decision records the version it was made under.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11";

/// An optional purpose of processing the holder may consent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Commercial communications from us (the "marketing communications" switch).
    Marketing,
    /// Analysis of the holder's use of the services to tailor offers.
    Profiling,
    /// Passing contact data to partners for their own offers.
    ThirdParties,
}

impl ConsentKind {
    /// Every kind, in the order the forms show them.
    pub const ALL: [ConsentKind; 3] = [
        ConsentKind::Marketing,
        ConsentKind::Profiling,
        ConsentKind::ThirdParties,
    ];

    /// Stable code for storage, forms and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ConsentKind::Marketing => "marketing",
            ConsentKind::Profiling => "profiling",
            ConsentKind::ThirdParties => "third_parties",
        }
    }

    /// Inverse of [`ConsentKind::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<ConsentKind> {
        ConsentKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One decision on one purpose; the latest decision per kind is the one in force.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsentDecision {
    /// Which purpose.
    pub kind: ConsentKind,
    /// Given (`true`) or refused / withdrawn (`false`).
    pub given: bool,
    /// The privacy notice version shown when the decision was made.
    pub notice_version: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The decisions in force, one per kind, from a history in any order: the latest
/// decision of each kind wins; a kind never decided counts as refused.
#[must_use]
pub fn current_consents(history: &[ConsentDecision]) -> Vec<(ConsentKind, bool)> {
    ConsentKind::ALL
        .into_iter()
        .map(|kind| {
            let given = history
                .iter()
                .filter(|d| d.kind == kind)
                .max_by_key(|d| d.at)
                .is_some_and(|d| d.given);
            (kind, given)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_latest_decision_wins_and_silence_is_refusal() {
        let t = |s| Utc.timestamp_opt(s, 0).unwrap();
        let d = |kind, given, at| ConsentDecision {
            kind,
            given,
            notice_version: PRIVACY_NOTICE_VERSION.into(),
            at,
        };
        let history = [
            d(ConsentKind::Marketing, false, t(20)),
            d(ConsentKind::Marketing, true, t(10)),
            d(ConsentKind::Profiling, true, t(10)),
        ];
        assert_eq!(
            current_consents(&history),
            vec![
                (ConsentKind::Marketing, false),
                (ConsentKind::Profiling, true),
                (ConsentKind::ThirdParties, false)
            ]
        );
        for k in ConsentKind::ALL {
            assert_eq!(ConsentKind::from_code(k.code()), Some(k));
        }
    }
}
