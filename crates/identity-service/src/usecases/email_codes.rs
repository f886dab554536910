//! Single-use codes sent by email: issued (replacing earlier unused ones of the
//! same purpose), and redeemed once. Only the SHA-256 of the normalized text is
//! stored; the text travels in the mail.

use chrono::{DateTime, Utc};
use identity_core::credentials::{normalize_readable_code, random_readable_code};
use identity_core::{HolderId, LoginNumber};

use crate::model::{CodePurpose, OneTimeCode};
use crate::ports::{Randomness, RngOf, StoreError, StoreTx};

/// The stored form of a code as typed or clicked.
#[must_use]
pub fn hash_code(text: &str) -> String {
    crate::sha256_hex(&normalize_readable_code(text))
}

/// Issues a new code of `purpose` for `holder` inside `tx`, discarding its unused
/// codes of the same purpose, and returns the text to send.
pub(crate) async fn issue_code(
    tx: &mut dyn StoreTx,
    random: &dyn Randomness,
    purpose: CodePurpose,
    holder: HolderId,
    login: Option<LoginNumber>,
    target: Option<String>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    tx.discard_codes(holder, purpose).await?;
    let text = random_readable_code(&mut RngOf(random));
    tx.insert_code(&OneTimeCode {
        code_hash: hash_code(&text),
        purpose,
        holder_id: holder,
        login,
        target,
        created_at: now,
        expires_at: now + purpose.lifetime(),
        used_at: None,
    })
    .await?;
    Ok(text)
}

/// Redeems a code of `purpose` inside `tx`: `None` when it is unknown, used,
/// expired or of another purpose (the caller answers all of these alike).
pub(crate) async fn redeem_code(
    tx: &mut dyn StoreTx,
    purpose: CodePurpose,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<OneTimeCode>, StoreError> {
    let hash = hash_code(text);
    let code = match tx.code_for_update(&hash).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !code.usable(purpose, now) {
        return Ok(None);
    }
    match tx.use_code(&hash, now).await {
        Ok(()) => Ok(Some(code)),
        Err(StoreError::Conflict | StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Issues a password-reset code for `login` of `holder` inside `tx`; the code and
/// the link of the page that takes it (on `public_url`).
pub(crate) async fn issue_reset_code(
    tx: &mut dyn StoreTx,
    random: &dyn Randomness,
    purpose: CodePurpose,
    holder: HolderId,
    login: LoginNumber,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(String, String), StoreError> {
    let code = issue_code(tx, random, purpose, holder, Some(login), None, now).await?;
    let link = format!(
        "{}/account/reset-password?code={code}",
        public_url.trim_end_matches('/')
    );
    Ok((code, link))
}

/// Issues a password-reset code of `purpose` for `login` and mails it, with the
/// link of the page that takes it, to the holder's reference address, inside `tx`.
pub(crate) async fn mail_reset_code(
    tx: &mut dyn StoreTx,
    random: &dyn Randomness,
    purpose: CodePurpose,
    holder: &identity_core::Holder,
    login: &identity_core::LoginId,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (code, link) = issue_reset_code(
        tx,
        random,
        purpose,
        holder.id(),
        login.number(),
        public_url,
        now,
    )
    .await?;
    crate::service::mail_holder(
        tx,
        holder,
        now,
        "password_reset_code",
        serde_json::json!({ "login_id": login.to_string(), "code": code, "link": link }),
    )
    .await
}
