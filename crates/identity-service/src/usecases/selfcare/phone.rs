//! Changing the mobile phone of a holder with a digital identity: the phone
//! receives the emergency code's second half and the codes that prove a lost
//! phone, so a new number takes effect only when a code sent to it by SMS comes
//! back; the old number is then told by SMS, and the reference email by mail.

use chrono::{DateTime, Utc};
use identity_core::{ContactChange, Holder, HolderId, PhoneNumber};
use serde_json::json;

use super::sms_codes::{issue_sms_code, redeem_sms_code};
use crate::model::CodePurpose;
use crate::ports::{StoreError, StoreTx};
use crate::service::{Service, audit, enqueue, mail_holder};

/// Sends a code by SMS to the `new` phone, inside `tx`; the change waits for it.
/// `false` (nothing sent) when the holder's sends of the last hour are used up.
pub(crate) async fn send_phone_change_code(
    tx: &mut dyn StoreTx,
    random: &dyn crate::ports::Randomness,
    holder: &Holder,
    new: &PhoneNumber,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if !super::take_send(tx, holder.id(), now).await? {
        return Ok(false);
    }
    let code = issue_sms_code(
        tx,
        random,
        CodePurpose::ChangePhone,
        holder.id(),
        (None, Some(new.to_string())),
        now,
    )
    .await?;
    enqueue(
        tx,
        &new.to_string(),
        holder.lang(),
        now,
        "sms_code",
        json!({ "code": code }),
    )
    .await?;
    Ok(true)
}

impl Service {
    /// The new phone's SMS code came back: the phone changes, the old number and
    /// the reference email are told. `Ok(None)` when the code is wrong, used or
    /// expired.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn confirm_phone_change(
        &self,
        holder_id: HolderId,
        code: &str,
    ) -> Result<Option<PhoneNumber>, crate::InfraError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut holder = tx.holder_for_update(holder_id).await?;
        let Some(found) =
            redeem_sms_code(tx.as_mut(), CodePurpose::ChangePhone, holder_id, code, now).await?
        else {
            tx.commit().await?;
            return Ok(None);
        };
        let Some(new) = found
            .target
            .as_deref()
            .and_then(|t| PhoneNumber::parse(t).ok())
        else {
            return Ok(None);
        };
        let old = holder.contacts().phone.clone();
        if let Some(ContactChange::Phone { old, new }) = holder.change_phone(new.clone()) {
            tx.update_holder_contacts(&holder).await?;
            audit(
                tx.as_mut(),
                now,
                &format!("holder:{holder_id}"),
                "holder.contacts_changed",
                Some(holder_id),
                json!({ "field": "phone", "old": old.to_string(), "new": new.to_string() }),
            )
            .await?;
            mail_holder(
                tx.as_mut(),
                &holder,
                now,
                "data_changed",
                json!({ "fields": "phone", "at": now.to_rfc3339() }),
            )
            .await?;
        }
        enqueue(
            tx.as_mut(),
            &old.to_string(),
            holder.lang(),
            now,
            "sms_phone_changed",
            json!({ "phone": new.to_string() }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(new))
    }
}
