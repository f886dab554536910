//! Closing the whole account ("Cancellazione"): allowed when nothing requires
//! keeping it (no digital identity that is not revoked, no open order). What the
//! law requires stays (the audit log, identity-proofing records, the fiscal codes
//! they refer to); the rest of the personal data is erased.

use identity_core::OrderState;
use identity_core::i18n::{Lang, Localized};
use identity_core::identity::Actor;
use identity_core::{HolderId, LoginId, LoginStatus};
use serde_json::json;

use crate::forms::{HOLDER_NOT_FOUND, Message, TEMPORARY};
use crate::ports::StoreError;
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
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CloseAccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => CloseAccountError::NotFound,
            other => CloseAccountError::Store(other),
        }
    }
}

impl Localized for CloseAccountError {
    fn message(&self, lang: Lang) -> String {
        match self {
            CloseAccountError::LiveIdentity => Message::new(
                "Hai un'identità digitale non revocata: prima chiedine la revoca dal pannello Selfcare.",
                "You hold a digital identity that is not revoked: ask for its revocation from the Selfcare panel first.",
            )
            .message(lang),
            CloseAccountError::OpenOrder => Message::new(
                "Hai un ordine in lavorazione: potrai chiudere l'account quando sarà concluso.",
                "You have an order in progress: you can close the account once it is completed.",
            )
            .message(lang),
            CloseAccountError::NotFound => {
                HOLDER_NOT_FOUND.message(lang)
            }
            CloseAccountError::Store(_) => TEMPORARY.message(lang),
        }
    }
}

impl Service {
    /// Closes the holder's account: every login is deleted, sessions end, personal
    /// data is erased but for what the law requires. A last mail confirms it.
    pub async fn close_account(
        &self,
        holder_id: HolderId,
        actor: &Actor,
    ) -> Result<(), CloseAccountError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder_for_update(holder_id).await?;
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
        tx.close_holder(holder_id, now).await?;
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
