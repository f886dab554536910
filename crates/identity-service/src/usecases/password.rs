//! Choosing a new password for a login: the whole policy (composition, personal
//! data, the last 5 passwords and any used in the last 15 months), for the
//! password change in the customer area and the reset of a forgotten one; and
//! whether a login's password has expired (180 days) or soon will.

use chrono::{DateTime, Utc};
use identity_core::password_policy::{PasswordAge, PasswordHistoryEntry};
use identity_core::{Holder, LoginId, LoginNumber, PasswordViolation};
use serde_json::json;

use crate::error::{InfraError, infra_error};
use crate::forms::{FieldErrors, new_password_errors};
use crate::passwords::HashError;
use crate::ports::{SessionFilter, StoreError};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::register::password_context;
use crate::usecases::sign_in::SignInError;

/// Why the password did not change.
#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    /// The current password is wrong (or the login is throttled: the same answer).
    #[error("the current password is not right")]
    WrongPassword,
    /// The new password's fields to fix.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ChangePasswordError);

impl Service {
    /// The errors of a new password for a login of `holder`: typed twice, the
    /// policy's rules (`login_numbers` are the holder's, which it must not
    /// contain), and the history rule against `history`.
    pub(crate) async fn new_password_check(
        &self,
        holder: &Holder,
        login_numbers: &[String],
        history: &[PasswordHistoryEntry],
        password: &str,
        confirm: &str,
        now: DateTime<Utc>,
    ) -> Result<FieldErrors, HashError> {
        let tax = holder.tax_code();
        let ctx = password_context(holder, tax.as_ref(), login_numbers);
        let policy = &self.config.password_policy;
        let mut errors = new_password_errors(policy, password, confirm, &ctx);
        if errors.is_empty() {
            let hashes: Vec<String> = policy
                .entries_to_compare(history, now)
                .iter()
                .map(|e| e.hash.clone())
                .collect();
            if self.hasher.matches_any(password.to_owned(), hashes).await? {
                errors.add(
                    "password",
                    vec![PasswordViolation::RecentlyUsed {
                        last: policy.settings().history_count,
                        months: policy.settings().history_months,
                    }],
                );
            }
        }
        Ok(errors)
    }

    /// The age of the login's current password: expired, expiring soon (with the
    /// days left), or fine. A login without a password counts as expired.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login))]
    pub async fn password_age(&self, login: LoginNumber) -> Result<PasswordAge, StoreError> {
        let mut tx = self.store.begin_read().await?;
        let current = tx
            .password_history(login)
            .await?
            .into_iter()
            .find(|h| h.retired_at.is_none());
        Ok(match current {
            Some(c) => self
                .config
                .password_policy
                .status(c.set_at, self.clock.now()),
            None => PasswordAge::Expired,
        })
    }

    /// Changes a login's password: the current one must be right (a wrong one
    /// counts against the sign-in throttle), the new one follows the whole policy.
    /// Every session of the login ends (the caller signs the holder in again) and
    /// the holder is told by email.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login))]
    pub async fn change_password(
        &self,
        login: LoginNumber,
        current: &str,
        password: &str,
        confirm: &str,
        client_ip: Option<&str>,
    ) -> Result<(), ChangePasswordError> {
        let id = LoginId::new(login, &self.config.login_domain);
        let signed = match self.sign_in_password(&id, current, client_ip).await {
            Ok(s) => s,
            Err(SignInError::InvalidCredentials) => return Err(ChangePasswordError::WrongPassword),
            Err(SignInError::Infra(e)) => return Err(ChangePasswordError::Infra(e)),
        };
        let now = self.clock.now();
        let (holder, numbers, history) = {
            let mut tx = self.store.begin_read().await?;
            let holder = tx.holder(signed.holder_id).await?;
            let numbers: Vec<String> = tx
                .logins_of(signed.holder_id)
                .await?
                .iter()
                .map(|l| l.number().to_string())
                .collect();
            (holder, numbers, tx.password_history(login).await?)
        };
        let errors = self
            .new_password_check(&holder, &numbers, &history, password, confirm, now)
            .await?;
        if !errors.is_empty() {
            return Err(ChangePasswordError::Invalid(errors));
        }
        let hash = self.hasher.hash(password.to_owned()).await?;
        let mut tx = self.store.begin().await?;
        let holder = tx.holder_for_update(signed.holder_id).await?;
        let actor = format!("holder:{}", holder.id());
        let change = NewPassword {
            holder: &holder,
            login: &id,
            hash: &hash,
            actor: &actor,
            event: "password.changed",
            client_ip,
        };
        write_new_password(tx.as_mut(), &change, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A password about to replace a login's current one.
pub(crate) struct NewPassword<'a> {
    pub holder: &'a Holder,
    pub login: &'a LoginId,
    /// Its argon2id hash.
    pub hash: &'a str,
    /// Who changes it (audit), and the audit event.
    pub actor: &'a str,
    pub event: &'a str,
    pub client_ip: Option<&'a str>,
}

/// Writes a new password inside `tx`: the password, the end of every session of
/// the login, the audit record and the "password changed" mail.
pub(crate) async fn write_new_password(
    tx: &mut dyn crate::ports::StoreTx,
    change: &NewPassword<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let number = change.login.number();
    tx.set_password(number, change.hash, now).await?;
    let sessions = SessionFilter {
        login: Some(number),
        ..SessionFilter::default()
    };
    tx.delete_sessions(change.holder.id(), &sessions).await?;
    // A selfcare sign-in that checked the old password must start again.
    tx.delete_pending_sign_ins_of(change.holder.id()).await?;
    audit(
        tx,
        now,
        change.actor,
        change.event,
        Some(change.holder.id()),
        json!({ "login": change.login.to_string(), "client_ip": change.client_ip }),
    )
    .await?;
    mail_holder(
        tx,
        change.holder,
        now,
        "password_changed",
        json!({ "login_id": change.login.to_string(), "at": now.to_rfc3339() }),
    )
    .await
}
