//! The jobs that move identities through their lifecycle: contact data shared by
//! two identities, expired identity documents, and suspension deadlines.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use identity_core::calendar;
use identity_core::identity::{
    Actor, DigitalIdentity, IdentityEvent, IdentityEventKind, SuspensionReason, TransitionError,
};
use identity_core::ids::IdentityId;

use super::{Tally, finish};
use crate::error::InfraError;
use crate::ports::StoreError;
use crate::service::Service;
use crate::usecases::identity::IdentityError;

impl Service {
    /// Applies `decide` to one identity in a transaction of its own, under the
    /// identity's row lock, and counts the resulting event (`revoked`,
    /// `suspended`, ...). Nothing due (already handled by another run or node, or
    /// no longer in a state the rule applies to) counts nothing.
    pub(super) async fn apply_to_identity(
        &self,
        id: IdentityId,
        actor: &Actor,
        dry_run: bool,
        tally: &mut Tally,
        decide: impl FnOnce(
            DigitalIdentity,
        ) -> Result<(DigitalIdentity, Vec<IdentityEvent>), TransitionError>
        + Send,
    ) -> Result<(), InfraError> {
        let mut tx = self.store.begin().await?;
        let mut events = Vec::new();
        let outcome = self
            .transition_in(tx.as_mut(), id, actor, |identity| {
                let (identity, happened) = decide(identity)?;
                events.clone_from(&happened);
                Ok((identity, happened))
            })
            .await;
        match outcome {
            Ok(_) => {
                finish(tx, dry_run).await?;
                for e in &events {
                    tally.add(action_of(&e.kind), 1);
                }
                Ok(())
            }
            Err(IdentityError::Infra(e)) => Err(e),
            // Not due, not found (gone meanwhile), or a state the rule no longer
            // applies to: nothing to do for this one.
            Err(_) => Ok(()),
        }
    }

    /// Suspends active identities whose email or phone is also another identity
    /// holder's, and restores those suspended for it once it is no longer shared.
    pub(super) async fn shared_contacts(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let actor = Actor::System("shared_contact_data".into());
        let sharing: BTreeSet<IdentityId> = {
            let mut tx = self.store.begin_read().await?;
            tx.identities_sharing_contacts()
                .await?
                .into_iter()
                .collect()
        };
        for &id in &sharing {
            self.apply_to_identity(id, &actor, dry_run, tally, |i| {
                if !i.state().is_active() {
                    return Err(TransitionError::NothingDue);
                }
                i.suspend(SuspensionReason::SharedContactData, actor.clone(), now)
                    .map(|(i, e)| (i, vec![e]))
            })
            .await?;
        }
        let suspended = {
            let mut tx = self.store.begin_read().await?;
            tx.identities_suspended_for(SuspensionReason::SharedContactData.code())
                .await?
        };
        for id in suspended.into_iter().filter(|id| !sharing.contains(id)) {
            self.restore_fixed_contacts(id, &actor, now, dry_run, tally)
                .await?;
        }
        Ok(())
    }

    /// Restores an identity suspended for shared contact data once the conflict
    /// is gone: the holder changed the email or phone (each change confirmed on
    /// the new address or number), so assurance is unchanged. Both the reason and
    /// the conflict are checked again under the identity's lock, so a snapshot
    /// taken before a new conflict (another node's) or a suspension for another
    /// reason is never undone.
    async fn restore_fixed_contacts(
        &self,
        id: IdentityId,
        actor: &Actor,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let mut tx = self.store.begin().await?;
        let identity = match tx.identity_for_update(id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let still_for_contacts = matches!(
            identity.state(),
            identity_core::IdentityState::Suspended {
                reason: SuspensionReason::SharedContactData,
                ..
            }
        );
        if !still_for_contacts || tx.identity_shares_contacts(id).await? {
            return Ok(());
        }
        match self
            .transition_in(tx.as_mut(), id, actor, |i| {
                i.reactivate(actor.clone(), now).map(|(i, e)| (i, vec![e]))
            })
            .await
        {
            Ok(_) => {
                finish(tx, dry_run).await?;
                tally.add("reactivated", 1);
                Ok(())
            }
            Err(IdentityError::Infra(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    /// Suspends active identities whose document's last valid day has passed,
    /// until a new document is recorded.
    pub(super) async fn document_expiry(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let actor = Actor::System("document_expiry".into());
        let due = {
            let mut tx = self.store.begin_read().await?;
            tx.identities_with_document_expired(calendar::rome_date(now))
                .await?
        };
        for id in due {
            self.apply_to_identity(id, &actor, dry_run, tally, |i| {
                i.apply_document_expiry(now).map(|(i, e)| (i, vec![e]))
            })
            .await?;
        }
        Ok(())
    }

    /// Applies the 30-day deadline of suspensions that reached it (docs/domain.md
    /// §4 and the configured [`identity_core::identity::DeadlinePolicy`]).
    pub(super) async fn suspension_deadlines(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let actor = Actor::System("suspension_deadline".into());
        let policy = self.config.deadline_policy;
        let due = {
            let mut tx = self.store.begin_read().await?;
            tx.identities_past_deadline(now).await?
        };
        for id in due {
            self.apply_to_identity(id, &actor, dry_run, tally, |i| {
                i.apply_deadline(policy, now).map(|(i, e)| (i, vec![e]))
            })
            .await?;
        }
        Ok(())
    }
}

/// The action a job's event is counted under.
fn action_of(kind: &IdentityEventKind) -> &'static str {
    match kind {
        IdentityEventKind::Suspended { .. } => "suspended",
        IdentityEventKind::Reactivated => "reactivated",
        IdentityEventKind::Revoked { .. } => "revoked",
        IdentityEventKind::DeadlinePassedKeptSuspended => "kept_suspended",
        _ => "other",
    }
}
