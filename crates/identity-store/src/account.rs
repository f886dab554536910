//! The customer area's records on one transaction: holder corrections and
//! closure, consents, single-use codes and re-authentication.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::consent::{ConsentDecision, ConsentKind};
use identity_core::{Holder, HolderId};
use identity_service::ports::AccountTx;
use identity_service::{CodePurpose, OneTimeCode, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::holders::{CLOSE_HOLDER, UPDATE_IDENTITY, bind_identity_columns};
use crate::sql::{Columns, Run, SqlTx, number_to_db, touched};
use crate::time;

fn consent_from_row(row: &AnyRow) -> Result<ConsentDecision, StoreError> {
    let c = Columns::of(row, "consent");
    Ok(ConsentDecision {
        kind: c.decoded("kind", ConsentKind::from_code)?,
        given: c.int("given")? != 0,
        notice_version: c.text("notice_version")?,
        at: c.time("at")?,
    })
}

fn code_from_row(row: &AnyRow) -> Result<OneTimeCode, StoreError> {
    let c = Columns::of(row, "code");
    Ok(OneTimeCode {
        code_hash: c.text("code_hash")?,
        purpose: c.decoded("purpose", CodePurpose::from_code)?,
        holder_id: c.parsed("holder_id")?,
        login: c.opt_login_number("login_number")?,
        target: c.opt_text("target")?,
        created_at: c.time("created_at")?,
        expires_at: c.time("expires_at")?,
        used_at: c.opt_time("used_at")?,
    })
}

#[async_trait]
impl AccountTx for SqlTx {
    #[tracing::instrument(name = "store.update_holder_identity", skip_all, level = "debug")]
    async fn update_holder_identity(&mut self, holder: &Holder) -> Result<(), StoreError> {
        let done = bind_identity_columns(sqlx::query(UPDATE_IDENTITY), holder)
            .bind(holder.data_review().code())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.close_holder", skip_all, level = "debug", fields(holder = %id))]
    async fn close_holder(&mut self, id: HolderId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let holder = id.to_string();
        // Mail already sent to the holder's address keeps neither the address nor
        // the parameters (queued mail, such as the closure notice, is still sent).
        sqlx::query(
            "UPDATE outbox SET to_address = '', params = '{}' WHERE status <> 'pending' \
             AND to_address = (SELECT email FROM holders WHERE id = $1 AND closed_at IS NULL)",
        )
        .bind(holder.clone())
        .execute_in(self)
        .await?;
        let done = sqlx::query(CLOSE_HOLDER)
            .bind(holder.clone())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?;
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
                .execute_in(self)
                .await?;
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.insert_consent", skip_all, level = "debug", fields(holder = %holder))]
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
        .execute_in(self).await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.consents_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn consents_of(&mut self, holder: HolderId) -> Result<Vec<ConsentDecision>, StoreError> {
        let rows = sqlx::query("SELECT * FROM consents WHERE holder_id = $1 ORDER BY at")
            .bind(holder.to_string())
            .fetch_all_in(self)
            .await?;
        rows.iter().map(consent_from_row).collect()
    }

    #[tracing::instrument(name = "store.insert_code", skip_all, level = "debug")]
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
        .insert_in(self, "code").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.code_for_update", skip_all, level = "debug")]
    async fn code_for_update(&mut self, code_hash: &str) -> Result<OneTimeCode, StoreError> {
        let sql = format!(
            "SELECT * FROM one_time_codes WHERE code_hash = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(code_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        code_from_row(&row)
    }

    #[tracing::instrument(name = "store.use_code", skip_all, level = "debug")]
    async fn use_code(&mut self, code_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE one_time_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
        )
        .bind(code_hash.to_owned())
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let exists = sqlx::query("SELECT 1 FROM one_time_codes WHERE code_hash = $1")
            .bind(code_hash.to_owned())
            .fetch_optional_in(self)
            .await?;
        Err(if exists.is_some() {
            StoreError::Conflict
        } else {
            StoreError::NotFound
        })
    }

    #[tracing::instrument(name = "store.unused_codes", skip_all, level = "debug", fields(holder = %holder))]
    async fn unused_codes(
        &mut self,
        holder: HolderId,
        purpose: CodePurpose,
    ) -> Result<Vec<OneTimeCode>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM one_time_codes WHERE holder_id = $1 AND purpose = $2 AND used_at IS NULL \
             ORDER BY created_at DESC",
        )
        .bind(holder.to_string())
        .bind(purpose.code())
        .fetch_all_in(self)
        .await?;
        rows.iter().map(code_from_row).collect()
    }

    #[tracing::instrument(name = "store.discard_codes", skip_all, level = "debug", fields(holder = %holder))]
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
        .execute_in(self)
        .await?;
        Ok(done.rows_affected())
    }

    #[tracing::instrument(name = "store.mark_session_reauthenticated", skip_all, level = "debug")]
    async fn mark_session_reauthenticated(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE sessions SET reauthenticated_at = $2 WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }
}
