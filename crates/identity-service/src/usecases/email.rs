//! Proving that a reference email reaches the holder: the code sent at
//! registration (or resent), and the code sent to a new address before it
//! replaces the old one (which is told of the change).

use chrono::Utc;
use identity_core::{EmailAddress, HolderId};
use serde_json::json;

use crate::error::{InfraError, infra_error};

use crate::model::CodePurpose;
use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder, mail_to};
use crate::usecases::email_codes::{hash_code, issue_code, redeem_code};
use crate::usecases::limits::{RECOVERY, take};
use crate::usecases::register::verify_link;

/// Why a verification code was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum VerifyEmailError {
    /// Unknown, used or expired code (one answer for all).
    #[error("the code is not valid")]
    InvalidCode,
    /// The new address is now the reference address of... nothing: it was taken
    /// by a change of the same holder in the meantime, or is malformed.
    #[error("the address can no longer be set")]
    Stale,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(VerifyEmailError);

/// What a verification code confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailVerified {
    /// The reference email given at registration.
    Registration(HolderId),
    /// A new reference email, which replaced the old one.
    Changed(HolderId),
}

impl Service {
    /// Redeems an email code (from the registration mail, a resent one, or the mail
    /// sent to a new address). Single use; expired, used and unknown codes are
    /// refused alike.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn verify_email_code(&self, code: &str) -> Result<EmailVerified, VerifyEmailError> {
        let now = self.clock.now();
        // Whose code it is, first: the holder's row is locked before the code's, the
        // order every change of a holder takes (so two of them never deadlock).
        let holder_id = {
            let mut read = self.store.begin_read().await?;
            match read.code_for_update(&hash_code(code)).await {
                Ok(c) => c.holder_id,
                Err(StoreError::NotFound) => return Err(VerifyEmailError::InvalidCode),
                Err(e) => return Err(e.into()),
            }
        };
        let mut tx = self.store.begin().await?;
        let mut holder = match tx.holder_for_update(holder_id).await {
            Ok(h) => h,
            Err(StoreError::NotFound) => return Err(VerifyEmailError::InvalidCode),
            Err(e) => return Err(e.into()),
        };
        if let Some(c) = redeem_code(tx.as_mut(), CodePurpose::VerifyEmail, code, now).await? {
            if !holder.email_verified() {
                holder.mark_email_verified(now);
                tx.update_holder_contacts(&holder).await?;
                let actor = format!("holder:{}", holder.id());
                let details = json!({ "email": holder.contacts().email.to_string() });
                audit(
                    tx.as_mut(),
                    now,
                    &actor,
                    "holder.email_verified",
                    Some(holder.id()),
                    details,
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(EmailVerified::Registration(c.holder_id));
        }
        let Some(c) = redeem_code(tx.as_mut(), CodePurpose::ChangeEmail, code, now).await? else {
            return Err(VerifyEmailError::InvalidCode);
        };
        let new = c
            .target
            .as_deref()
            .and_then(|t| EmailAddress::parse(t).ok())
            .ok_or(VerifyEmailError::Stale)?;
        let old = holder.contacts().email.clone();
        if holder.change_email(new.clone()).is_some() {
            holder.mark_email_verified(now);
            tx.update_holder_contacts(&holder).await?;
            let actor = format!("holder:{}", holder.id());
            let details =
                json!({ "field": "email", "old": old.to_string(), "new": new.to_string() });
            audit(
                tx.as_mut(),
                now,
                &actor,
                "holder.email_changed",
                Some(holder.id()),
                details,
            )
            .await?;
            let params =
                json!({ "fields": "email", "at": now.to_rfc3339(), "new_email": new.to_string() });
            mail_to(
                tx.as_mut(),
                &old.to_string(),
                holder.lang(),
                now,
                "data_changed",
                params.clone(),
                &holder,
            )
            .await?;
            mail_holder(tx.as_mut(), &holder, now, "data_changed", params).await?;
        }
        tx.commit().await?;
        Ok(EmailVerified::Changed(c.holder_id))
    }

    /// Sends a new verification code to the holder's reference email (the old
    /// one stops working). Nothing is sent when the address is already verified;
    /// at most [`RECOVERY`] mails an hour per holder.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn resend_email_verification(&self, holder_id: HolderId) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder_for_update(holder_id).await?;
        if holder.email_verified() {
            return Ok(false);
        }
        if !take(tx.as_mut(), &format!("verify:{holder_id}"), RECOVERY, now).await? {
            tx.commit().await?;
            return Ok(false);
        }
        let code = issue_code(
            tx.as_mut(),
            self.random.as_ref(),
            CodePurpose::VerifyEmail,
            holder_id,
            None,
            None,
            now,
        )
        .await?;
        let params = json!({ "code": code, "link": verify_link(&self.config.public_url, &code), "change": false });
        mail_holder(tx.as_mut(), &holder, now, "verify_email", params).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Starts a change of the reference email: a code goes to the new address, and
    /// the change happens only when it comes back ([`Service::verify_email_code`]).
    pub(crate) async fn send_email_change_code(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        holder: &identity_core::Holder,
        new: &EmailAddress,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let code = issue_code(
            tx,
            self.random.as_ref(),
            CodePurpose::ChangeEmail,
            holder.id(),
            None,
            Some(new.to_string()),
            now,
        )
        .await?;
        let params = json!({ "code": code, "link": verify_link(&self.config.public_url, &code), "change": true });
        mail_to(
            tx,
            &new.to_string(),
            holder.lang(),
            now,
            "verify_email",
            params,
            holder,
        )
        .await
    }
}
