//! Lost account ("Smarrimento account"), without signing in: the login ids of a
//! holder are sent to its reference email (given the tax code or VAT number and
//! that email), and a forgotten password is replaced after a single-use code sent
//! to the reference email comes back. The answers never tell whether anything
//! matched; attempts are limited per client address and per identifier.

use identity_core::{EmailAddress, LoginId, LoginStatus, TaxCode, VatNumber};
use serde_json::json;

use crate::error::{InfraError, infra_error};
use crate::forms::{FieldErrors, InputRule};
use crate::model::CodePurpose;
use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder};
use crate::usecases::email_codes::{hash_code, mail_reset_code};
use crate::usecases::identity::live_identity;
use crate::usecases::limits::{RECOVERY, address_key, take_all};
use crate::usecases::password::{NewPassword, write_new_password};
use crate::usecases::sign_in::login_throttle_key;

/// Why a recovery request was not accepted. Matching or not is never an error.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// Fields to fix (malformed input only, never "not found").
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Too many requests from this address: try later.
    #[error("too many requests")]
    RateLimited,
    /// The reset code is unknown, used or expired.
    #[error("invalid code")]
    InvalidCode,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(RecoveryError);

/// Whether `login` is the username of its holder's digital identity that is not
/// revoked.
pub(crate) async fn is_identity_username(
    tx: &mut dyn crate::ports::StoreTx,
    login: &identity_core::Login,
) -> Result<bool, StoreError> {
    Ok(live_identity(tx, login.holder_id())
        .await?
        .is_some_and(|i| i.username() == login.number()))
}

impl Service {
    /// Takes one attempt from the client address's and the identifier's limits.
    async fn take_recovery(&self, keys: &[String]) -> Result<bool, RecoveryError> {
        Ok(take_all(self.store.as_ref(), keys, RECOVERY, self.clock.now()).await?)
    }

    /// Sends the active login ids of the holders whose tax code or VAT number is
    /// `fiscal_code` and whose reference email is `email`, to that email. Returns
    /// `Ok` whether or not anything matched.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn remind_login_ids(
        &self,
        fiscal_code: &str,
        email: &str,
        client_ip: Option<&str>,
    ) -> Result<(), RecoveryError> {
        let mut errors = FieldErrors::new();
        let code = fiscal_code.trim().to_ascii_uppercase().replace(' ', "");
        let tax = TaxCode::parse(&code).ok();
        let vat = VatNumber::parse(&code).ok();
        if code.is_empty() {
            errors.add("fiscal_code", InputRule::Required);
        } else if tax.is_none() && vat.is_none() {
            errors.add("fiscal_code", InputRule::TaxCodeOrVatNumber);
        }
        let email = errors.check("email", EmailAddress::parse(email));
        let Some(email) = email.filter(|_| errors.is_empty()) else {
            return Err(RecoveryError::Invalid(errors));
        };
        let keys = [
            address_key("recovery", client_ip),
            format!("recovery:fiscal:{code}"),
        ];
        if !self.take_recovery(&keys).await? {
            return Err(RecoveryError::RateLimited);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut holders = Vec::new();
        if let Some(t) = &tax {
            holders.extend(tx.holders_by_fiscal_code(t.as_str(), false).await?);
        }
        if let Some(v) = &vat {
            holders.extend(tx.holders_by_fiscal_code(v.as_str(), true).await?);
        }
        holders.dedup_by_key(|h| h.id());
        for holder in holders
            .iter()
            .filter(|h| h.contacts().email.normalized() == email.normalized())
        {
            let ids: Vec<String> = tx
                .logins_of(holder.id())
                .await?
                .iter()
                .filter(|l| l.is_active())
                .map(|l| LoginId::new(l.number(), &self.config.login_domain).to_string())
                .collect();
            if ids.is_empty() {
                continue;
            }
            mail_holder(
                tx.as_mut(),
                holder,
                now,
                "login_ids_reminder",
                json!({ "login_ids": ids.join("\n") }),
            )
            .await?;
            audit(
                tx.as_mut(),
                now,
                "anonymous",
                "recovery.login_ids_sent",
                Some(holder.id()),
                json!({ "client_ip": client_ip }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends a password reset code for `login_id` to its holder's reference email,
    /// if the login exists and is active. Returns `Ok` either way.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn request_password_reset(
        &self,
        login_id: &str,
        client_ip: Option<&str>,
    ) -> Result<(), RecoveryError> {
        let mut errors = FieldErrors::new();
        if login_id.trim().is_empty() {
            errors.add("login_id", InputRule::Required);
            return Err(RecoveryError::Invalid(errors));
        }
        let parsed = LoginId::parse(login_id, &self.config.login_domain).ok();
        let id_key = parsed.as_ref().map_or_else(
            || "reset:invalid".to_owned(),
            |id| format!("reset:{}", id.number()),
        );
        let keys = [address_key("recovery", client_ip), id_key];
        if !self.take_recovery(&keys).await? {
            return Err(RecoveryError::RateLimited);
        }
        // A malformed id answers like an unknown one.
        let Some(id) = parsed else { return Ok(()) };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let login = match tx.login(id.number()).await {
            Ok(l) if l.is_active() => l,
            Ok(_) | Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let holder = tx.holder_for_update(login.holder_id()).await?;
        if is_identity_username(tx.as_mut(), &login).await? {
            // The identity's password is its level 1: an email code alone must not
            // replace it (the selfcare recovery asks for the emergency code too).
            mail_holder(
                tx.as_mut(),
                &holder,
                now,
                "password_reset_identity",
                json!({ "login_id": id.to_string() }),
            )
            .await?;
            audit(
                tx.as_mut(),
                now,
                "anonymous",
                "recovery.password_reset_refused",
                Some(holder.id()),
                json!({ "login": id.to_string(), "client_ip": client_ip, "why": "identity_username" }),
            )
            .await?;
            tx.commit().await?;
            return Ok(());
        }
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
            "anonymous",
            "recovery.password_reset_sent",
            Some(holder.id()),
            json!({ "login": id.to_string(), "client_ip": client_ip }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the password of the login a reset code was sent for. The new
    /// password follows the whole policy, history included; the code is used only
    /// when the password is accepted. Every session of the login ends, its sign-in
    /// throttle is cleared, the reference email counts as verified (the code came
    /// back from it) and the holder is told by email. Returns the login id.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn reset_password(
        &self,
        code: &str,
        password: &str,
        password_confirm: &str,
        client_ip: Option<&str>,
    ) -> Result<LoginId, RecoveryError> {
        if !self
            .take_recovery(&[address_key("reset-code", client_ip)])
            .await?
        {
            return Err(RecoveryError::RateLimited);
        }
        let now = self.clock.now();
        let hash = hash_code(code);
        let (found, holder, history, numbers) = {
            let mut tx = self.store.begin_read().await?;
            let found = match tx.code_for_update(&hash).await {
                Ok(c)
                    if c.usable(CodePurpose::ResetPassword, now)
                        || c.usable(CodePurpose::ResetIdentityPassword, now) =>
                {
                    c
                }
                Ok(_) | Err(StoreError::NotFound) => return Err(RecoveryError::InvalidCode),
                Err(e) => return Err(e.into()),
            };
            let number = found.login.ok_or(RecoveryError::InvalidCode)?;
            let holder = tx.holder(found.holder_id).await?;
            let history = tx.password_history(number).await?;
            let numbers: Vec<String> = tx
                .logins_of(found.holder_id)
                .await?
                .iter()
                .map(|l| l.number().to_string())
                .collect();
            (found, holder, history, numbers)
        };
        let number = found.login.ok_or(RecoveryError::InvalidCode)?;
        let errors = self
            .new_password_check(&holder, &numbers, &history, password, password_confirm, now)
            .await?;
        if !errors.is_empty() {
            return Err(RecoveryError::Invalid(errors));
        }
        let new_hash = self.hasher.hash(password.to_owned()).await?;
        let mut tx = self.store.begin().await?;
        // The holder first, then the code: the order every change of a holder takes.
        let mut holder = match tx.holder_for_update(found.holder_id).await {
            Ok(h) => h,
            Err(StoreError::NotFound) => return Err(RecoveryError::InvalidCode),
            Err(e) => return Err(e.into()),
        };
        let login = tx.login(number).await?;
        // A plain reset code never replaces an identity's password (its level 1);
        // the selfcare recovery's code, given for the emergency code, only does.
        let for_identity = found.purpose == CodePurpose::ResetIdentityPassword;
        if login.status() != LoginStatus::Active
            || is_identity_username(tx.as_mut(), &login).await? != for_identity
        {
            return Err(RecoveryError::InvalidCode);
        }
        match tx.use_code(&hash, now).await {
            Ok(()) => {}
            Err(StoreError::Conflict | StoreError::NotFound) => {
                return Err(RecoveryError::InvalidCode);
            }
            Err(e) => return Err(e.into()),
        }
        tx.throttle_reset(&login_throttle_key(number)).await?;
        if !holder.email_verified() {
            holder.mark_email_verified(now);
            tx.update_holder_contacts(&holder).await?;
        }
        let login_id = LoginId::new(number, &self.config.login_domain);
        let change = NewPassword {
            holder: &holder,
            login: &login_id,
            hash: &new_hash,
            actor: "anonymous",
            event: "password.reset",
            client_ip,
        };
        write_new_password(tx.as_mut(), &change, now).await?;
        tx.commit().await?;
        Ok(login_id)
    }
}
