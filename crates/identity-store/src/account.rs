//! The customer area's records on one transaction: holder corrections and
//! closure, consents, single-use codes and re-authentication.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::consent::{ConsentDecision, ConsentKind};
use identity_core::{Holder, HolderId, LoginNumber};
use identity_service::ports::AccountTx;
use identity_service::{CodePurpose, OneTimeCode, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{db, translate};
use crate::holders::{CLOSE_HOLDER, UPDATE_IDENTITY, bind_identity_columns};
use crate::time;
use crate::tx::{SqlTx, number_to_db, touched};

fn consent_from_row(row: &AnyRow) -> Result<ConsentDecision, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("consent: {e}"));
    let kind: String = row.try_get("kind").map_err(|e| corrupt(&e))?;
    let given: i64 = row.try_get("given").map_err(|e| corrupt(&e))?;
    Ok(ConsentDecision {
        kind: ConsentKind::from_code(&kind).ok_or_else(|| corrupt(&kind))?,
        given: given != 0,
        notice_version: row.try_get("notice_version").map_err(|e| corrupt(&e))?,
        at: time::from_db(row.try_get("at").map_err(|e| corrupt(&e))?)?,
    })
}

fn code_from_row(row: &AnyRow) -> Result<OneTimeCode, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("code: {e}"));
    let purpose: String = row.try_get("purpose").map_err(|e| corrupt(&e))?;
    let holder: String = row.try_get("holder_id").map_err(|e| corrupt(&e))?;
    let login: Option<i64> = row.try_get("login_number").map_err(|e| corrupt(&e))?;
    Ok(OneTimeCode {
        code_hash: row.try_get("code_hash").map_err(|e| corrupt(&e))?,
        purpose: CodePurpose::from_code(&purpose).ok_or_else(|| corrupt(&purpose))?,
        holder_id: holder.parse().map_err(|e| corrupt(&e))?,
        login: login
            .map(|n| {
                u64::try_from(n)
                    .ok()
                    .and_then(LoginNumber::new)
                    .ok_or_else(|| corrupt(&n))
            })
            .transpose()?,
        target: row.try_get("target").map_err(|e| corrupt(&e))?,
        created_at: time::from_db(row.try_get("created_at").map_err(|e| corrupt(&e))?)?,
        expires_at: time::from_db(row.try_get("expires_at").map_err(|e| corrupt(&e))?)?,
        used_at: time::opt_from_db(row.try_get("used_at").map_err(|e| corrupt(&e))?)?,
    })
}

#[async_trait]
impl AccountTx for SqlTx {
    async fn update_holder_identity(&mut self, holder: &Holder) -> Result<(), StoreError> {
        let done = bind_identity_columns(sqlx::query(UPDATE_IDENTITY), holder)
            .bind(holder.data_review().code())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn close_holder(&mut self, id: HolderId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let holder = id.to_string();
        // Mail already sent to the holder's address keeps neither the address nor
        // the parameters (queued mail, such as the closure notice, is still sent).
        sqlx::query(
            "UPDATE outbox SET to_address = '', params = '{}' WHERE status <> 'pending' \
             AND to_address = (SELECT email FROM holders WHERE id = $1 AND closed_at IS NULL)",
        )
        .bind(holder.clone())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        let done = sqlx::query(CLOSE_HOLDER)
            .bind(holder.clone())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)?;
        for sql in [
            "DELETE FROM consents WHERE holder_id = $1",
            // The requests' dates and decisions stay (they are decisions on the
            // record); the personal values in them go.
            "UPDATE correction_requests SET current_value = '', requested_value = '', reason = '', \
             decision_reason = NULL WHERE holder_id = $1",
            "DELETE FROM one_time_codes WHERE holder_id = $1",
            "DELETE FROM sessions WHERE holder_id = $1",
            "DELETE FROM passwords WHERE login_number IN (SELECT number FROM logins WHERE holder_id = $1)",
            "UPDATE logins SET status = 'deleted' WHERE holder_id = $1",
        ] {
            sqlx::query(sql)
                .bind(holder.clone())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn insert_consent(
        &mut self,
        holder: HolderId,
        decision: &ConsentDecision,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO consents (holder_id, kind, given, notice_version, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(holder.to_string())
        .bind(decision.kind.code())
        .bind(i64::from(decision.given))
        .bind(decision.notice_version.clone())
        .bind(time::to_db(decision.at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn consents_of(&mut self, holder: HolderId) -> Result<Vec<ConsentDecision>, StoreError> {
        let rows = sqlx::query("SELECT * FROM consents WHERE holder_id = $1 ORDER BY at")
            .bind(holder.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(consent_from_row).collect()
    }

    async fn insert_code(&mut self, code: &OneTimeCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO one_time_codes (code_hash, purpose, holder_id, login_number, target, created_at, \
             expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(code.code_hash.clone())
        .bind(code.purpose.code())
        .bind(code.holder_id.to_string())
        .bind(code.login.map(number_to_db))
        .bind(code.target.clone())
        .bind(time::to_db(code.created_at))
        .bind(time::to_db(code.expires_at))
        .bind(time::opt_to_db(code.used_at))
        .execute(&mut *self.tx)
        .await
        .map_err(translate("code"))?;
        Ok(())
    }

    async fn code_for_update(&mut self, code_hash: &str) -> Result<OneTimeCode, StoreError> {
        let sql = format!(
            "SELECT * FROM one_time_codes WHERE code_hash = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(code_hash.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        code_from_row(&row)
    }

    async fn use_code(&mut self, code_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE one_time_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
        )
        .bind(code_hash.to_owned())
        .bind(time::to_db(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let exists = sqlx::query("SELECT 1 FROM one_time_codes WHERE code_hash = $1")
            .bind(code_hash.to_owned())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?;
        Err(if exists.is_some() {
            StoreError::Conflict
        } else {
            StoreError::NotFound
        })
    }

    async fn discard_codes(
        &mut self,
        holder: HolderId,
        purpose: CodePurpose,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM one_time_codes WHERE holder_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(holder.to_string())
        .bind(purpose.code())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn mark_session_reauthenticated(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE sessions SET reauthenticated_at = $2 WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }
}
