//! Codes sent by SMS: 6 digits, as people type them from a phone. So few digits
//! are safe only because each code is bound to one holder (the stored hash covers
//! the holder's id, so codes of different holders never collide and a guess is
//! for one holder only), lives 15 minutes, and wrong guesses are limited.

use chrono::{DateTime, Utc};
use identity_core::credentials::random_numeric_code;
use identity_core::{HolderId, LoginNumber};

use crate::model::{CodePurpose, OneTimeCode};
use crate::ports::{Randomness, RngOf, StoreError, StoreTx};
use crate::usecases::limits::{SMS_CODE_ATTEMPTS, take};

/// Digits of a code sent by SMS.
pub const SMS_CODE_DIGITS: usize = 6;

fn hash(holder: HolderId, purpose: CodePurpose, digits: &str) -> String {
    crate::sha256_hex(&format!("sms:{holder}:{}:{digits}", purpose.code()))
}

/// Issues a code of `purpose` for `holder` inside `tx` (replacing unused ones of
/// the same purpose) and returns its text, for the SMS. `login` is the login the
/// code is about (the username of an identity request), `target` the phone it goes
/// to when that matters.
pub(crate) async fn issue_sms_code(
    tx: &mut dyn StoreTx,
    random: &dyn Randomness,
    purpose: CodePurpose,
    holder: HolderId,
    (login, target): (Option<LoginNumber>, Option<String>),
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    tx.discard_codes(holder, purpose).await?;
    let digits = random_numeric_code(&mut RngOf(random), SMS_CODE_DIGITS);
    tx.insert_code(&OneTimeCode {
        code_hash: hash(holder, purpose, &digits),
        purpose,
        holder_id: holder,
        login,
        target,
        created_at: now,
        expires_at: now + purpose.lifetime(),
        used_at: None,
    })
    .await?;
    Ok(digits)
}

/// Redeems `holder`'s code of `purpose` inside `tx`: `None` if wrong, used or
/// expired, or when the holder used up its attempts (5 an hour).
pub(crate) async fn redeem_sms_code(
    tx: &mut dyn StoreTx,
    purpose: CodePurpose,
    holder: HolderId,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<OneTimeCode>, StoreError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let key = format!("sms:{holder}:{}", purpose.code());
    if !take(tx, &key, SMS_CODE_ATTEMPTS, now).await? {
        return Ok(None);
    }
    let h = hash(holder, purpose, &digits);
    let code = match tx.code_for_update(&h).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !code.usable(purpose, now) || code.holder_id != holder {
        return Ok(None);
    }
    tx.use_code(&h, now).await?;
    tx.throttle_reset(&key).await?;
    Ok(Some(code))
}
