//! Signed-in sessions: which login is signed in, where, at which credential level,
//! and until when. The token itself is a random secret the client holds; storage
//! keeps only its hash, so a database leak does not hand out sessions.

use chrono::{DateTime, Duration, Utc};

use crate::credentials::CredentialLevel;
use crate::ids::{HolderId, LoginNumber};

/// Which area of the site a session belongs to: the selfcare panel of the digital
/// identity has its own sign-in (and its own level) apart from the customer area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionArea {
    /// The customer area (holder data, logins, orders).
    Customer,
    /// The selfcare panel (digital identity).
    Selfcare,
}

impl SessionArea {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SessionArea::Customer => "customer",
            SessionArea::Selfcare => "selfcare",
        }
    }

    /// Inverse of [`SessionArea::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<SessionArea> {
        match code {
            "customer" => Some(SessionArea::Customer),
            "selfcare" => Some(SessionArea::Selfcare),
            _ => None,
        }
    }
}

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ended after this long without a request.
    pub idle: Duration,
    /// Ended this long after sign-in, whatever the activity.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A signed-in session (without its token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    /// A public id, to list and end sessions without revealing tokens.
    pub id: uuid::Uuid,
    /// The holder signed in.
    pub holder_id: HolderId,
    /// The login used.
    pub login: LoginNumber,
    /// Where.
    pub area: SessionArea,
    /// The credential level of the sign-in.
    pub level: CredentialLevel,
    /// Sign-in time.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
    /// Client address at sign-in.
    pub client_ip: Option<String>,
    /// Browser at sign-in (`User-Agent`, shortened).
    pub user_agent: Option<String>,
    /// The last time the holder re-entered the identity's credentials in this
    /// session (signing in does not count): changes of the recovery channels need a
    /// recent one.
    pub reauthenticated_at: Option<DateTime<Utc>>,
}

impl Session {
    /// When the session ends if nothing else happens: the earlier of the idle and
    /// the absolute limit.
    #[must_use]
    pub fn expires_at(&self, policy: &SessionPolicy) -> DateTime<Utc> {
        (self.last_seen_at + policy.idle).min(self.created_at + policy.absolute)
    }

    /// Whether the session is still usable at `now`.
    #[must_use]
    pub fn is_live(&self, policy: &SessionPolicy, now: DateTime<Utc>) -> bool {
        now < self.expires_at(policy)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn idle_and_absolute_limits() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
        let mut s = Session {
            id: uuid::Uuid::nil(),
            holder_id: HolderId::from_uuid(uuid::Uuid::nil()),
            login: LoginNumber::new(123_456).unwrap(),
            area: SessionArea::Customer,
            level: CredentialLevel::L1,
            created_at: t0,
            last_seen_at: t0,
            client_ip: None,
            user_agent: None,
            reauthenticated_at: None,
        };
        let p = SessionPolicy::default();
        assert!(s.is_live(&p, t0 + Duration::minutes(29)));
        assert!(
            !s.is_live(&p, t0 + Duration::minutes(30)),
            "idle for 30 minutes"
        );
        s.last_seen_at = t0 + Duration::hours(11) + Duration::minutes(50);
        assert!(s.is_live(&p, t0 + Duration::hours(11) + Duration::minutes(59)));
        assert!(
            !s.is_live(&p, t0 + Duration::hours(12)),
            "12 hours after sign-in, however active"
        );
        assert_eq!(
            SessionArea::from_code(SessionArea::Selfcare.code()),
            Some(SessionArea::Selfcare)
        );
    }
}
