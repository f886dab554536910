//! Closing the whole account ("Cancellazione"): allowed when nothing requires
//! keeping it (no digital identity that is not revoked, no open order). What the
//! law requires stays (the audit log, identity-proofing records, the fiscal codes
//! they refer to); the rest of the personal data is erased.

use identity_core::OrderState;
use identity_core::identity::Actor;
use identity_core::{HolderId, LoginId, LoginStatus};
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};

use crate::service::{Service, audit, mail_holder};
use crate::usecases::identity::live_identity;

/// Why the account stays open.
#[derive(Debug, thiserror::Error)]
pub enum CloseAccountError {
    /// The holder has a digital identity that is not revoked: revoke it first.
    #[error("a digital identity is not revoked")]
    LiveIdentity,
    /// An order is still open.
    #[error("an order is open")]
    OpenOrder,
    /// No such holder (or already closed).
    #[error("holder not found")]
    NotFound,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(CloseAccountError);

impl Service {
    /// Closes the holder's account: every login is deleted, sessions end, personal
    /// data is erased but for what the law requires. A last mail confirms it.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn close_account(
        &self,
        holder_id: HolderId,
        actor: &Actor,
    ) -> Result<(), CloseAccountError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx
            .holder_for_update(holder_id)
            .await
            .or_missing(CloseAccountError::NotFound)?;
        if live_identity(tx.as_mut(), holder_id).await?.is_some() {
            return Err(CloseAccountError::LiveIdentity);
        }
        if tx
            .orders_of(holder_id)
            .await?
            .iter()
            .any(|o| o.state == OrderState::Open)
        {
            return Err(CloseAccountError::OpenOrder);
        }
        let logins: Vec<String> = tx
            .logins_of(holder_id)
            .await?
            .iter()
            .filter(|l| l.status() != LoginStatus::Deleted)
            .map(|l| LoginId::new(l.number(), &self.config.login_domain).to_string())
            .collect();
        // Queued before the erasure: the outbox keeps the address until it is sent.
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "account_closed",
            json!({ "login_ids": logins.join(", ") }),
        )
        .await?;
        tx.close_holder(holder_id, now)
            .await
            .or_missing(CloseAccountError::NotFound)?;
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "holder.closed",
            Some(holder_id),
            json!({ "logins": logins }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
