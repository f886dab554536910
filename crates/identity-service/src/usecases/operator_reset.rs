//! `login reset-password`: an operator sends a login's holder a password reset
//! code (the holder chooses the password; an operator never sets one).

use identity_core::LoginId;
use identity_core::LoginNumber;
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{CodePurpose, Operator, OperatorRole};
use crate::service::{Service, audit};
use crate::usecases::email_codes::mail_reset_code;
use crate::usecases::operators::OperatorError;
use crate::usecases::recovery::is_identity_username;

/// Why no reset code was sent.
#[derive(Debug, thiserror::Error)]
pub enum OperatorResetError {
    /// No such login.
    #[error("no such login")]
    NotFound,
    /// The login is disabled or deleted: enable it first.
    #[error("the login is not active: enable it first")]
    NotActive,
    /// The login is a digital identity's username: its password is the
    /// identity's level 1, recovered from the selfcare with the emergency code.
    #[error(
        "the login is the username of a digital identity: its password is recovered from the selfcare with the emergency code"
    )]
    IdentityUsername,
    /// The operator may not do it.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(OperatorResetError);

impl Service {
    /// Mails the holder of `login` a password reset code (the same message as
    /// "forgot password"), audited under the operator.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login, operator = %by.name))]
    pub async fn operator_password_reset(
        &self,
        login: LoginNumber,
        by: &Operator,
    ) -> Result<LoginId, OperatorResetError> {
        by.require(OperatorRole::Operator)?;
        let now = self.clock.now();
        let id = LoginId::new(login, &self.config.login_domain);
        let mut tx = self.store.begin().await?;
        let login = tx
            .login(login)
            .await
            .or_missing(OperatorResetError::NotFound)?;
        if !login.is_active() {
            return Err(OperatorResetError::NotActive);
        }
        if is_identity_username(tx.as_mut(), &login).await? {
            return Err(OperatorResetError::IdentityUsername);
        }
        let holder = tx
            .holder_for_update(login.holder_id())
            .await
            .or_missing(OperatorResetError::NotFound)?;
        mail_reset_code(
            tx.as_mut(),
            self.random.as_ref(),
            CodePurpose::ResetPassword,
            &holder,
            &id,
            &self.config.public_url,
            now,
        )
        .await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "login.password_reset_sent",
            Some(holder.id()),
            json!({ "login": id.to_string() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
