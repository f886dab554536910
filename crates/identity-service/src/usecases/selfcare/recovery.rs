//! Recoveries the selfcare sign-in page offers without signing in: the username
//! (sent to the reference email), the password (username + emergency code, then a
//! code by email) and the emergency code itself (username + password + a code by
//! email; the new code arrives in two halves on two channels). Rate-limited per
//! client address and per identifier, like the emergency block.

use identity_core::{EmailAddress, LoginId};
use serde_json::json;

use super::emergency::{
    EmergencyError, code_field, emergency_field, emergency_keys, tax_code_field,
};
use super::{emergency_matches, issue_emergency_code, send_security_code};
use crate::forms::{FieldErrors, InputRule};
use crate::model::CodePurpose;
use crate::service::{Service, audit, mail_holder};
use crate::usecases::email_codes::{mail_reset_code, redeem_code};
use crate::usecases::limits::address_key;
use crate::usecases::sign_in::SignInError;

impl Service {
    /// Sends the username of the live identity of `tax_code` to its reference
    /// email, when `email` is that address. Answers `Ok` whether or not anything
    /// matched; the username is never shown.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn remind_identity_username(
        &self,
        tax_code: &str,
        email: &str,
        client_ip: Option<&str>,
    ) -> Result<(), EmergencyError> {
        let mut errors = FieldErrors::new();
        let tax = tax_code_field(tax_code, &mut errors);
        let email = errors.check("email", EmailAddress::parse(email));
        let (Some(tax), Some(email)) = (tax, email) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_recovery_limit(&[
            address_key("recovery", client_ip),
            format!("recovery:fiscal:{}", tax.as_str()),
        ])
        .await?;
        let Some(identity) = self.identity_by_tax_code(&tax).await? else {
            return Ok(());
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(identity.holder_id()).await?;
        if holder.contacts().email.normalized() != email.normalized() {
            return Ok(());
        }
        let username = LoginId::new(identity.username(), &self.config.login_domain);
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "identity_username",
            json!({ "login_id": username.to_string() }),
        )
        .await?;
        audit(
            tx.as_mut(),
            now,
            "anonymous",
            "recovery.username_sent",
            Some(holder.id()),
            json!({ "client_ip": client_ip }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Password recovery of an identity: the username and the emergency code;
    /// a single-use code (30 minutes) goes to the reference email, with the link
    /// of the page that sets the new password.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn recover_identity_password(
        &self,
        login_id: &str,
        emergency_code: &str,
        client_ip: Option<&str>,
    ) -> Result<(), EmergencyError> {
        let mut errors = FieldErrors::new();
        let login = self.login_field(login_id, &mut errors);
        let code = emergency_field(emergency_code, &mut errors);
        let (Some(login), Some(code)) = (login, code) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_emergency(&emergency_keys(
            &format!("login:{}", login.number()),
            client_ip,
        ))
        .await?;
        let identity = self
            .identity_by_username(&login)
            .await?
            .ok_or(EmergencyError::InvalidCredentials)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut creds = tx.credentials_for_update(identity.id()).await?;
        if !emergency_matches(&creds, &code) {
            return Err(EmergencyError::InvalidCredentials);
        }
        // An emergency code works once: a new one arrives in two halves.
        let actor = format!("holder:{}", identity.holder_id());
        issue_emergency_code(
            tx.as_mut(),
            self.random.as_ref(),
            &identity,
            &mut creds,
            &actor,
            now,
        )
        .await?;
        let holder = tx.holder(identity.holder_id()).await?;
        mail_reset_code(
            tx.as_mut(),
            self.random.as_ref(),
            CodePurpose::ResetIdentityPassword,
            &holder,
            &login,
            &self.config.public_url,
            now,
        )
        .await?;
        audit(
            tx.as_mut(),
            now,
            "anonymous",
            "recovery.identity_password_code_sent",
            Some(holder.id()),
            json!({ "client_ip": client_ip }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// First step of the emergency-code recovery: the username and its password
    /// (throttled like a sign-in); a code goes to the reference email.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn start_emergency_code_recovery(
        &self,
        login_id: &str,
        password: &str,
        client_ip: Option<&str>,
    ) -> Result<(), EmergencyError> {
        let mut errors = FieldErrors::new();
        let login = self.login_field(login_id, &mut errors);
        if password.is_empty() {
            errors.add("password", InputRule::Required);
        }
        let Some(login) = login.filter(|_| errors.is_empty()) else {
            return Err(EmergencyError::Invalid(errors));
        };
        match self.sign_in_password(&login, password, client_ip).await {
            Ok(_) => {}
            Err(SignInError::InvalidCredentials) => return Err(EmergencyError::InvalidCredentials),
            Err(SignInError::Infra(e)) => return Err(e.into()),
        }
        let identity = self
            .identity_by_username(&login)
            .await?
            .ok_or(EmergencyError::NoIdentity)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(identity.holder_id()).await?;
        send_security_code(
            tx.as_mut(),
            self.random.as_ref(),
            &holder,
            CodePurpose::NewEmergencyCode,
            Some(identity.username()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Second step: the code from the email. A new emergency code is issued in two
    /// halves (email and SMS); the old one stops working.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn finish_emergency_code_recovery(
        &self,
        login_id: &str,
        code: &str,
        client_ip: Option<&str>,
    ) -> Result<(), EmergencyError> {
        let mut errors = FieldErrors::new();
        let login = self.login_field(login_id, &mut errors);
        code_field(code, &mut errors);
        let Some(login) = login.filter(|_| errors.is_empty()) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_emergency(&emergency_keys(
            &format!("login:{}", login.number()),
            client_ip,
        ))
        .await?;
        let identity = self
            .identity_by_username(&login)
            .await?
            .ok_or(EmergencyError::InvalidCredentials)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ok = redeem_code(tx.as_mut(), CodePurpose::NewEmergencyCode, code, now)
            .await?
            .is_some_and(|c| {
                c.holder_id == identity.holder_id() && c.login == Some(identity.username())
            });
        if !ok {
            return Err(EmergencyError::InvalidCredentials);
        }
        let mut creds = tx.credentials_for_update(identity.id()).await?;
        let actor = format!("holder:{}", identity.holder_id());
        issue_emergency_code(
            tx.as_mut(),
            self.random.as_ref(),
            &identity,
            &mut creds,
            &actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
