//! The transitions of [`DigitalIdentity`]. Each consumes the identity and returns
//! the new one plus the event, or a typed error with the identity unchanged
//! (callers keep their copy; the identity is cheap to clone).

use chrono::{DateTime, Utc};

use super::event::{Actor, IdentityEvent, IdentityEventKind};
use super::proofing::{IdentityDocument, Proofing};
use super::state::{IdentityState, RevocationCause, SuspensionReason};
use super::{DigitalIdentity, PoliceReport, SUSPENSION_DAYS};
use crate::calendar;

/// What happens when a 30-day suspension reaches its deadline without a decision
/// and no police report is on record (docs/domain.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlinePolicy {
    /// AgID Avviso 10/2018: no automatic reactivation; the identity stays
    /// suspended until a verified reactivation. The default.
    #[default]
    KeepSuspended,
    /// The letter of DPCM 24/10/2014: the identity is restored automatically.
    AutoRestore,
}

/// An illegal transition; the identity is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Only a pending identity can be verified.
    #[error("the identity is not pending verification")]
    NotPending,
    /// Only an active identity can be suspended or used.
    #[error("the identity is not active")]
    NotActive,
    /// Only a suspended identity can be reactivated.
    #[error("the identity is not suspended")]
    NotSuspended,
    /// Revoked is final.
    #[error("the identity is revoked; revocation is final")]
    Revoked,
    /// The proofing document is expired.
    #[error("the identity document expired on {0}")]
    DocumentExpired(chrono::NaiveDate),
    /// Suspended for an expired document: record a new document instead.
    #[error("a new identity document must be recorded to reactivate")]
    NeedsNewDocument,
    /// A police report is on record: the identity will be revoked, not reactivated.
    #[error("a police report is on record; the identity cannot be reactivated")]
    PoliceReportOnRecord,
    /// Documents can only be recorded on identities that were verified.
    #[error("the identity was never verified")]
    NotVerified,
    /// A scheduled rule has nothing to do yet.
    #[error("nothing is due")]
    NothingDue,
}

impl DigitalIdentity {
    fn event(&self, actor: Actor, now: DateTime<Utc>, kind: IdentityEventKind) -> IdentityEvent {
        IdentityEvent {
            identity_id: self.id,
            actor,
            at: now,
            kind,
        }
    }

    fn not_revoked(&self) -> Result<(), TransitionError> {
        if self.state.is_revoked() {
            Err(TransitionError::Revoked)
        } else {
            Ok(())
        }
    }

    /// Records the identity proofing: `Pending -> Active`. The document must be
    /// valid on today's Rome date.
    pub fn verify(
        mut self,
        proofing: Proofing,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        self.not_revoked()?;
        if self.state != IdentityState::Pending {
            return Err(TransitionError::NotPending);
        }
        if proofing.document.is_expired_on(calendar::rome_date(now)) {
            return Err(TransitionError::DocumentExpired(
                proofing.document.expires_on,
            ));
        }
        let method = proofing.method;
        self.state = IdentityState::Active;
        self.activated_at = Some(now);
        self.proofing = Some(proofing);
        let e = self.event(actor, now, IdentityEventKind::Verified { method });
        Ok((self, e))
    }

    /// Suspends an active identity. Reasons other than an expired document get
    /// the 30-day deadline (end of the 30th Rome day).
    pub fn suspend(
        mut self,
        reason: SuspensionReason,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        self.not_revoked()?;
        if !self.state.is_active() {
            return Err(TransitionError::NotActive);
        }
        let deadline = reason
            .has_deadline()
            .then(|| calendar::end_of_rome_day_after(now, SUSPENSION_DAYS));
        self.state = IdentityState::Suspended {
            reason,
            since: now,
            deadline,
        };
        let e = self.event(
            actor,
            now,
            IdentityEventKind::Suspended { reason, deadline },
        );
        Ok((self, e))
    }

    /// Reactivates a suspended identity (the caller has verified the holder or
    /// operator). Refused while a police report is on record, and for an expired
    /// document (record a new document instead).
    pub fn reactivate(
        mut self,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        self.not_revoked()?;
        let IdentityState::Suspended { reason, .. } = self.state else {
            return Err(TransitionError::NotSuspended);
        };
        if reason == SuspensionReason::DocumentExpired {
            return Err(TransitionError::NeedsNewDocument);
        }
        if self.police_report.is_some() {
            return Err(TransitionError::PoliceReportOnRecord);
        }
        self.state = IdentityState::Active;
        let e = self.event(actor, now, IdentityEventKind::Reactivated);
        Ok((self, e))
    }

    /// Revokes the identity, from any state but `Revoked`. Final.
    pub fn revoke(
        mut self,
        cause: RevocationCause,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        self.not_revoked()?;
        self.state = IdentityState::Revoked { cause, at: now };
        let e = self.event(actor, now, IdentityEventKind::Revoked { cause });
        Ok((self, e))
    }

    /// Applies the 30-day deadline once it has passed: revoked when a police report
    /// is on record or when shared contact data was not fixed; otherwise restored or
    /// kept suspended (without a deadline) according to `policy`.
    pub fn apply_deadline(
        mut self,
        policy: DeadlinePolicy,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        let IdentityState::Suspended {
            reason,
            since,
            deadline: Some(deadline),
        } = self.state
        else {
            return Err(TransitionError::NothingDue);
        };
        if now < deadline {
            return Err(TransitionError::NothingDue);
        }
        let actor = Actor::System("suspension_deadline".into());
        let revoke_cause = if self.police_report.is_some() {
            Some(RevocationCause::SuspensionDeadlineWithReport)
        } else if reason == SuspensionReason::SharedContactData {
            Some(RevocationCause::SharedContactDataNotFixed)
        } else {
            None
        };
        if let Some(cause) = revoke_cause {
            return self.revoke(cause, actor, now);
        }
        let kind = match policy {
            DeadlinePolicy::AutoRestore => {
                self.state = IdentityState::Active;
                IdentityEventKind::Reactivated
            }
            DeadlinePolicy::KeepSuspended => {
                self.state = IdentityState::Suspended {
                    reason,
                    since,
                    deadline: None,
                };
                IdentityEventKind::DeadlinePassedKeptSuspended
            }
        };
        let e = self.event(actor, now, kind);
        Ok((self, e))
    }

    /// Records a police report (denuncia) on a suspended identity. With a report on
    /// record the identity is revoked at the suspension deadline and cannot be
    /// reactivated.
    pub fn record_police_report(
        mut self,
        reference: &str,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        self.not_revoked()?;
        // A report belongs to a suspension (lost or stolen credentials): it decides
        // what happens at that suspension's deadline.
        if !matches!(self.state, IdentityState::Suspended { .. }) {
            return Err(TransitionError::NotSuspended);
        }
        self.police_report = Some(PoliceReport {
            reference: reference.trim().to_owned(),
            recorded_at: now,
        });
        let e = self.event(actor, now, IdentityEventKind::PoliceReportRecorded);
        Ok((self, e))
    }

    /// Records a new identity document on a verified identity. An identity
    /// suspended for an expired document becomes active again (two events).
    pub fn record_document(
        mut self,
        document: IdentityDocument,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, Vec<IdentityEvent>), TransitionError> {
        self.not_revoked()?;
        if document.is_expired_on(calendar::rome_date(now)) {
            return Err(TransitionError::DocumentExpired(document.expires_on));
        }
        let Some(proofing) = self.proofing.as_mut() else {
            return Err(TransitionError::NotVerified);
        };
        proofing.document = document;
        let mut events = vec![self.event(actor.clone(), now, IdentityEventKind::DocumentRecorded)];
        if let IdentityState::Suspended {
            reason: SuspensionReason::DocumentExpired,
            ..
        } = self.state
        {
            self.state = IdentityState::Active;
            events.push(self.event(actor, now, IdentityEventKind::Reactivated));
        }
        Ok((self, events))
    }

    /// Suspends an active identity whose document expired before today's Rome date;
    /// the suspension lasts until a new document is recorded.
    pub fn apply_document_expiry(
        self,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        let expired = self
            .proofing
            .as_ref()
            .is_some_and(|p| p.document.is_expired_on(calendar::rome_date(now)));
        if !self.state.is_active() || !expired {
            return Err(TransitionError::NothingDue);
        }
        self.suspend(
            SuspensionReason::DocumentExpired,
            Actor::System("document_expiry".into()),
            now,
        )
    }

    /// Revokes an identity unused for 24 months, once that instant has passed.
    pub fn apply_inactivity(
        self,
        now: DateTime<Utc>,
    ) -> Result<(DigitalIdentity, IdentityEvent), TransitionError> {
        match self.inactivity_revocation_at() {
            Some(at) if now >= at => self.revoke(
                RevocationCause::Inactivity,
                Actor::System("inactivity".into()),
                now,
            ),
            _ => Err(TransitionError::NothingDue),
        }
    }

    /// Records a successful sign-in, which restarts the inactivity clock.
    pub fn record_use(&mut self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        if !self.state.is_active() {
            return Err(TransitionError::NotActive);
        }
        self.last_used_at = Some(now);
        Ok(())
    }
}
