//! Disabling, enabling and deleting logins (creating one is in `new_login.rs`). A holder may disable or
//! delete its extra logins but never its last active one, nor the username of its
//! live digital identity; an operator may disable any. Disabling or deleting ends
//! the login's sessions.

use identity_core::identity::Actor;
use identity_core::login::LoginError;
use identity_core::{LoginId, LoginNumber, LoginStatus};
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};
use crate::ports::{SessionFilter, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::identity::live_identity;

/// How many logins of `holder` other than `number` are active.
async fn other_active_logins(
    tx: &mut dyn StoreTx,
    holder: identity_core::HolderId,
    number: LoginNumber,
) -> Result<usize, StoreError> {
    Ok(tx
        .logins_of(holder)
        .await?
        .iter()
        .filter(|l| l.number() != number && l.is_active())
        .count())
}

/// Refuses when `number` is the username of the holder's identity that is not revoked.
async fn refuse_identity_username(
    tx: &mut dyn StoreTx,
    holder: identity_core::HolderId,
    number: LoginNumber,
) -> Result<(), LoginChangeError> {
    if live_identity(tx, holder)
        .await?
        .is_some_and(|i| i.username() == number)
    {
        return Err(LoginChangeError::IdentityUsername);
    }
    Ok(())
}

/// Why a login could not change state. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum LoginChangeError {
    /// No such login (or, for a holder, not one of its own).
    #[error("login not found")]
    NotFound,
    /// The rule forbids it (last active login, already in that state).
    #[error(transparent)]
    Refused(#[from] LoginError),
    /// The login is the username of the holder's digital identity: it goes only
    /// with the identity (revocation).
    #[error("the login is the username of a digital identity")]
    IdentityUsername,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(LoginChangeError);

impl Service {
    /// Disables a login. `Actor::Holder` may only disable its own logins, and
    /// never the last active one; operators may disable any. The login's sessions end.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %number))]
    pub async fn disable_login(
        &self,
        number: LoginNumber,
        actor: &Actor,
    ) -> Result<(), LoginChangeError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut login = tx
            .login(number)
            .await
            .or_missing(LoginChangeError::NotFound)?;
        let holder = login.holder_id();
        match actor {
            Actor::Holder(h) if *h != holder => return Err(LoginChangeError::NotFound),
            Actor::Holder(_) => {
                let others = other_active_logins(tx.as_mut(), holder, number).await?;
                refuse_identity_username(tx.as_mut(), holder, number).await?;
                login.disable_by_holder(others)?;
            }
            Actor::Operator(_) | Actor::System(_) | Actor::Api(_) => login.disable_by_operator()?,
        }
        tx.set_login_status(number, LoginStatus::Disabled).await?;
        let sessions = SessionFilter {
            login: Some(number),
            ..SessionFilter::default()
        };
        tx.delete_sessions(holder, &sessions).await?;
        let details = json!({ "login": number.get() });
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.disabled",
            Some(holder),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an extra login on the holder's request (never the last active one,
    /// nor the username of a live identity). The number is never reused; the
    /// login's sessions end and the holder is told by email.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %number))]
    pub async fn delete_login(
        &self,
        number: LoginNumber,
        actor: &Actor,
    ) -> Result<(), LoginChangeError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut login = tx
            .login(number)
            .await
            .or_missing(LoginChangeError::NotFound)?;
        let holder_id = login.holder_id();
        if let Actor::Holder(h) = actor
            && *h != holder_id
        {
            return Err(LoginChangeError::NotFound);
        }
        let others = other_active_logins(tx.as_mut(), holder_id, number).await?;
        refuse_identity_username(tx.as_mut(), holder_id, number).await?;
        login.delete_by_holder(others)?;
        tx.set_login_status(number, LoginStatus::Deleted).await?;
        let sessions = SessionFilter {
            login: Some(number),
            ..SessionFilter::default()
        };
        tx.delete_sessions(holder_id, &sessions).await?;
        let holder = tx
            .holder(holder_id)
            .await
            .or_missing(LoginChangeError::NotFound)?;
        let login_id = LoginId::new(number, &self.config.login_domain).to_string();
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.deleted",
            Some(holder_id),
            json!({ "login": number.get() }),
        )
        .await?;
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "login_deleted",
            json!({ "login_id": login_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables a disabled login (operators).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %number))]
    pub async fn enable_login(
        &self,
        number: LoginNumber,
        actor: &Actor,
    ) -> Result<(), LoginChangeError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut login = tx
            .login(number)
            .await
            .or_missing(LoginChangeError::NotFound)?;
        login.enable()?;
        tx.set_login_status(number, LoginStatus::Active).await?;
        let details = json!({ "login": number.get() });
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.enabled",
            Some(login.holder_id()),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
