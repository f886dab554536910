//! The digital identity (identità digitale) and its lifecycle state machine
//! (docs/domain.md §4). Transitions are methods that consume the identity and
//! return the new one with the event to audit and notify; an illegal transition is
//! a [`TransitionError`] and leaves nothing changed.

mod event;
mod proofing;
mod state;
mod transitions;

#[cfg(test)]
mod proptests;

use chrono::{DateTime, Months, NaiveDate, Utc};

pub use event::{Actor, IdentityEvent, IdentityEventKind};
pub use proofing::{DocumentError, DocumentKind, IdentityDocument, Proofing, ProofingMethod};
pub use state::{IdentityState, RevocationCause, SuspensionReason};
pub use transitions::{DeadlinePolicy, TransitionError};

use crate::calendar;
use crate::ids::{HolderId, IdentityId, LoginNumber};

/// How long a suspension may last before a decision, in Rome calendar days.
pub const SUSPENSION_DAYS: u32 = 30;
/// Months without use after which an identity is revoked.
pub const INACTIVITY_MONTHS: u32 = 24;
/// Days before the inactivity revocation when the holder is warned.
pub const INACTIVITY_NOTICE_DAYS: [u32; 4] = [90, 30, 10, 1];

/// A police report (denuncia) recorded against an identity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoliceReport {
    /// The report's reference (number, office).
    pub reference: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A holder's digital identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalIdentity {
    id: IdentityId,
    holder_id: HolderId,
    username: LoginNumber,
    state: IdentityState,
    requested_at: DateTime<Utc>,
    activated_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    proofing: Option<Proofing>,
    police_report: Option<PoliceReport>,
}

/// Everything storage keeps of an identity, to rebuild it with [`DigitalIdentity::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentitySnapshot {
    /// Id.
    pub id: IdentityId,
    /// Owner.
    pub holder_id: HolderId,
    /// The login that is the identity's username.
    pub username: LoginNumber,
    /// State.
    pub state: IdentityState,
    /// Request time.
    pub requested_at: DateTime<Utc>,
    /// Activation time.
    pub activated_at: Option<DateTime<Utc>>,
    /// Last sign-in.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Proofing record.
    pub proofing: Option<Proofing>,
    /// Police report.
    pub police_report: Option<PoliceReport>,
}

impl DigitalIdentity {
    /// A new identity request, `Pending` until proofing. `username` must be a login of the holder.
    #[must_use]
    pub fn request(
        id: IdentityId,
        holder_id: HolderId,
        username: LoginNumber,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> (DigitalIdentity, IdentityEvent) {
        let identity = DigitalIdentity {
            id,
            holder_id,
            username,
            state: IdentityState::Pending,
            requested_at: now,
            activated_at: None,
            last_used_at: None,
            proofing: None,
            police_report: None,
        };
        let event = IdentityEvent {
            identity_id: id,
            actor,
            at: now,
            kind: IdentityEventKind::Requested,
        };
        (identity, event)
    }

    /// Rebuilds an identity from storage.
    #[must_use]
    pub fn restore(s: IdentitySnapshot) -> DigitalIdentity {
        DigitalIdentity {
            id: s.id,
            holder_id: s.holder_id,
            username: s.username,
            state: s.state,
            requested_at: s.requested_at,
            activated_at: s.activated_at,
            last_used_at: s.last_used_at,
            proofing: s.proofing,
            police_report: s.police_report,
        }
    }

    /// Everything storage needs to keep.
    #[must_use]
    pub fn snapshot(&self) -> IdentitySnapshot {
        IdentitySnapshot {
            id: self.id,
            holder_id: self.holder_id,
            username: self.username,
            state: self.state.clone(),
            requested_at: self.requested_at,
            activated_at: self.activated_at,
            last_used_at: self.last_used_at,
            proofing: self.proofing.clone(),
            police_report: self.police_report.clone(),
        }
    }

    /// Id.
    #[must_use]
    pub fn id(&self) -> IdentityId {
        self.id
    }
    /// Owner.
    #[must_use]
    pub fn holder_id(&self) -> HolderId {
        self.holder_id
    }
    /// The login that is the username.
    #[must_use]
    pub fn username(&self) -> LoginNumber {
        self.username
    }
    /// Current state.
    #[must_use]
    pub fn state(&self) -> &IdentityState {
        &self.state
    }
    /// Request time.
    #[must_use]
    pub fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }
    /// Activation time.
    #[must_use]
    pub fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.activated_at
    }
    /// Last sign-in, if any.
    #[must_use]
    pub fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.last_used_at
    }
    /// Proofing record, once verified.
    #[must_use]
    pub fn proofing(&self) -> Option<&Proofing> {
        self.proofing.as_ref()
    }
    /// Police report, if recorded.
    #[must_use]
    pub fn police_report(&self) -> Option<&PoliceReport> {
        self.police_report.as_ref()
    }

    /// The instant the inactivity clock starts from: the last use, else the activation.
    #[must_use]
    pub fn inactivity_reference(&self) -> Option<DateTime<Utc>> {
        self.last_used_at.or(self.activated_at)
    }

    /// When the identity is revoked for inactivity if not used before: the end of
    /// the Rome day 24 months after the last use (or the activation). `None` for
    /// identities never activated or already revoked.
    #[must_use]
    pub fn inactivity_revocation_at(&self) -> Option<DateTime<Utc>> {
        if matches!(
            self.state,
            IdentityState::Pending | IdentityState::Revoked { .. }
        ) {
            return None;
        }
        let start = self.inactivity_reference()?;
        let start_day = calendar::rome_date(start);
        let target: NaiveDate = start_day.checked_add_months(Months::new(INACTIVITY_MONTHS))?;
        let days = u32::try_from((target - start_day).num_days()).ok()?;
        Some(calendar::end_of_rome_day_after(start, days))
    }

    /// The instants at which the inactivity notices (90, 30, 10 and 1 days before)
    /// fall due, each paired with its number of days.
    #[must_use]
    pub fn inactivity_notice_dates(&self) -> Vec<(u32, DateTime<Utc>)> {
        let Some(revoke_at) = self.inactivity_revocation_at() else {
            return Vec::new();
        };
        // Whole Rome calendar days before the revocation day, not multiples of 24 hours:
        // across a clock change those differ by an hour and can land on another day.
        let last_day = calendar::rome_date(revoke_at);
        INACTIVITY_NOTICE_DAYS
            .iter()
            .map(|&d| {
                (
                    d,
                    calendar::end_of_rome_day(last_day - chrono::Days::new(u64::from(d))),
                )
            })
            .collect()
    }
}
