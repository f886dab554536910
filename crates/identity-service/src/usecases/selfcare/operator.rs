//! What operators do to an identity's credentials and read about it: the whole
//! identity with its credentials, and unblocking level 2 for a holder who proved
//! who they are at the desk or on the phone.

use identity_core::credentials::{CredentialLevel, LevelState};
use identity_core::identity::{Actor, DigitalIdentity};
use identity_core::ids::IdentityId;
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};
use crate::ports::IdentityCredentials;
use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder};

/// Why an operator's unblocking failed.
#[derive(Debug, thiserror::Error)]
pub enum OperatorUnblockError {
    /// No identity with this id.
    #[error("no identity with this id")]
    NotFound,
    /// The level is not blocked (or cannot be).
    #[error(transparent)]
    Level(#[from] identity_core::credentials::LevelTransitionError),
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(OperatorUnblockError);

impl Service {
    /// An identity and its credentials, by id; `None` if there is none.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id))]
    pub async fn identity_with_credentials(
        &self,
        id: IdentityId,
    ) -> Result<Option<(DigitalIdentity, IdentityCredentials)>, InfraError> {
        // Read through a write transaction that is rolled back: the port reads an
        // identity by id only under its lock.
        let mut tx = self.store.begin().await?;
        let identity = match tx.identity_for_update(id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let creds = tx.credentials(id).await?;
        Ok(Some((identity, creds)))
    }

    /// An operator unblocks `level` (only level 2 can be blocked) of an identity;
    /// the holder is told by email and the audit names the operator.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), identity = %id, level = level.as_u8()))]
    pub async fn operator_unblock_level(
        &self,
        id: IdentityId,
        level: CredentialLevel,
        actor: Actor,
    ) -> Result<IdentityCredentials, OperatorUnblockError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let identity = tx
            .identity_for_update(id)
            .await
            .or_missing(OperatorUnblockError::NotFound)?;
        let mut creds = tx.credentials_for_update(id).await?;
        creds.levels = creds.levels.unblock(level)?;
        if level == CredentialLevel::L2 {
            creds.totp_state = creds.totp_state.reset_failures();
        }
        debug_assert_eq!(creds.levels.state(level), LevelState::Active);
        tx.update_credentials(&creds).await?;
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            &format!("credential.level{}_unblocked", level.as_u8()),
            Some(identity.holder_id()),
            json!({ "identity_id": id }),
        )
        .await?;
        let holder = tx.holder(identity.holder_id()).await?;
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "credential_changed",
            json!({ "change": format!("level{}_unblocked", level.as_u8()), "at": now.to_rfc3339() }),
        )
        .await?;
        tx.commit().await?;
        Ok(creds)
    }
}
