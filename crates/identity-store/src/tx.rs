//! The storage port on one database transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::identity::DigitalIdentity;
use identity_core::ids::IdentityId;
use identity_core::password_policy::PasswordHistoryEntry;
use identity_core::{Holder, HolderId, Login, LoginNumber, LoginStatus, Session, SessionArea};
use identity_service::ports::SessionFilter;
use identity_service::{AuditQuery, AuditRecord, OutboxMessage, OutboxStatus, StoreError, StoreTx};
use sqlx::{AssertSqlSafe, Row};

use crate::backend::Backend;
use crate::error::{db, translate};
use crate::holders::{
    INSERT_HOLDER, UPDATE_CONTACTS, bind_holder, bind_secondary, holder_from_row,
};
use crate::identities::{INSERT_IDENTITY, UPDATE_IDENTITY, bind_identity, identity_from_row};
use crate::rows::{audit_from_row, login_from_row, outbox_from_row, session_from_row};
use crate::time;

/// A transaction on either backend.
pub(crate) struct SqlTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
}

/// `Ok` when the statement touched a row, else `absent`: how an update of a missing
/// row, or an insert that met `ON CONFLICT DO NOTHING`, is told apart.
pub(crate) fn touched(
    done: &sqlx::any::AnyQueryResult,
    absent: StoreError,
) -> Result<(), StoreError> {
    if done.rows_affected() == 0 {
        Err(absent)
    } else {
        Ok(())
    }
}

impl SqlTx {
    /// Runs `sql` with `cutoff` as its one parameter (a purge: `... WHERE
    /// column < $1`); returns the rows touched.
    pub(crate) async fn execute_before(
        &mut self,
        sql: &'static str,
        cutoff: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql)
            .bind(cutoff)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?
            .rows_affected())
    }

    /// Runs `sql` with a row's `key` as `$1` and a time as `$2` (marking rows
    /// used or revoked); returns the rows touched.
    pub(crate) async fn execute_at(
        &mut self,
        sql: &'static str,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql)
            .bind(key.to_owned())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?
            .rows_affected())
    }

    /// The parameters of outbox message `id` with its secrets blanked.
    async fn redacted_params(&mut self, id: uuid::Uuid) -> Result<String, StoreError> {
        let params: Option<String> = sqlx::query("SELECT params FROM outbox WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?
            .map(|row| row.try_get::<String, _>(0))
            .transpose()
            .map_err(db)?;
        let Some(params) = params else {
            return Err(StoreError::NotFound);
        };
        Ok(serde_json::from_str(&params)
            .map(|p| identity_service::model::redact_secrets(&p).to_string())
            .unwrap_or(params))
    }
}

pub(crate) fn number_to_db(n: LoginNumber) -> i64 {
    i64::try_from(n.get()).unwrap_or(i64::MAX)
}

#[async_trait]
impl StoreTx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(db)
    }

    async fn insert_holder(&mut self, holder: &Holder) -> Result<(), StoreError> {
        bind_holder(sqlx::query(INSERT_HOLDER), holder)
            .execute(&mut *self.tx)
            .await
            .map_err(translate("holder"))?;
        Ok(())
    }

    async fn holder(&mut self, id: HolderId) -> Result<Holder, StoreError> {
        let row = sqlx::query("SELECT * FROM holders WHERE id = $1 AND closed_at IS NULL")
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        holder_from_row(&row)
    }

    async fn holder_for_update(&mut self, id: HolderId) -> Result<Holder, StoreError> {
        let sql = format!(
            "SELECT * FROM holders WHERE id = $1 AND closed_at IS NULL{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        holder_from_row(&row)
    }

    async fn update_holder_contacts(&mut self, holder: &Holder) -> Result<(), StoreError> {
        let q = sqlx::query(UPDATE_CONTACTS).bind(holder.id().to_string());
        let done = bind_secondary(q, holder)
            .bind(holder.email_verified_at().map(time::to_db))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn holders_by_fiscal_code(
        &mut self,
        code: &str,
        vat: bool,
    ) -> Result<Vec<Holder>, StoreError> {
        let sql = if vat {
            "SELECT * FROM holders WHERE vat_number = $1 AND closed_at IS NULL ORDER BY created_at"
        } else {
            "SELECT * FROM holders WHERE tax_code = $1 AND closed_at IS NULL ORDER BY created_at"
        };
        let rows = sqlx::query(sql)
            .bind(code.to_owned())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(holder_from_row).collect()
    }

    async fn lock_fiscal_code(&mut self, code: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("fiscal:{code}"))
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn holders_by_email(
        &mut self,
        normalized_email: &str,
    ) -> Result<Vec<Holder>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM holders WHERE email_normalized = $1 AND closed_at IS NULL ORDER BY created_at")
                .bind(normalized_email.to_owned())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db)?;
        rows.iter().map(holder_from_row).collect()
    }

    async fn insert_login(&mut self, login: &Login) -> Result<(), StoreError> {
        // ON CONFLICT keeps the transaction usable on PostgreSQL, so the caller can
        // draw another number and retry.
        let done = sqlx::query(
            "INSERT INTO logins (number, holder_id, status, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (number) DO NOTHING",
        )
        .bind(number_to_db(login.number()))
        .bind(login.holder_id().to_string())
        .bind(login.status().code())
        .bind(time::to_db(login.created_at()))
        .execute(&mut *self.tx)
        .await
        .map_err(translate("login_number"))?;
        touched(&done, StoreError::Duplicate("login_number"))
    }

    async fn login(&mut self, number: LoginNumber) -> Result<Login, StoreError> {
        let row = sqlx::query(
            "SELECT number, holder_id, status, created_at FROM logins WHERE number = $1",
        )
        .bind(number_to_db(number))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)?;
        login_from_row(&row)
    }

    async fn logins_of(&mut self, holder: HolderId) -> Result<Vec<Login>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, holder_id, status, created_at FROM logins WHERE holder_id = $1 ORDER BY created_at, number",
        )
        .bind(holder.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(login_from_row).collect()
    }

    async fn set_login_status(
        &mut self,
        number: LoginNumber,
        status: LoginStatus,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE logins SET status = $2 WHERE number = $1")
            .bind(number_to_db(number))
            .bind(status.code())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn set_password(
        &mut self,
        number: LoginNumber,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE passwords SET retired_at = $2 WHERE login_number = $1 AND retired_at IS NULL",
        )
        .bind(number_to_db(number))
        .bind(time::to_db(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        sqlx::query("INSERT INTO passwords (login_number, hash, set_at) VALUES ($1, $2, $3)")
            .bind(number_to_db(number))
            .bind(hash.to_owned())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(translate("password"))?;
        Ok(())
    }

    async fn password_history(
        &mut self,
        number: LoginNumber,
    ) -> Result<Vec<PasswordHistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT hash, set_at, retired_at FROM passwords WHERE login_number = $1 ORDER BY set_at DESC",
        )
        .bind(number_to_db(number))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("password: {e}"));
                Ok(PasswordHistoryEntry {
                    hash: r.try_get("hash").map_err(corrupt)?,
                    set_at: time::from_db(r.try_get("set_at").map_err(corrupt)?)?,
                    retired_at: time::opt_from_db(r.try_get("retired_at").map_err(corrupt)?)?,
                })
            })
            .collect()
    }

    async fn throttle_lock(
        &mut self,
        key: &str,
    ) -> Result<(u32, Option<DateTime<Utc>>), StoreError> {
        // Create the row first: on PostgreSQL a missing row cannot be locked, and two
        // first attempts would both read zero.
        sqlx::query("INSERT INTO sign_in_throttle (throttle_key, failures) VALUES ($1, 0) ON CONFLICT DO NOTHING")
            .bind(key.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        let sql = format!(
            "SELECT failures, last_failure_at FROM sign_in_throttle WHERE throttle_key = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(key.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        let n: i64 = row.try_get(0).map_err(db)?;
        let last: Option<i64> = row.try_get(1).map_err(db)?;
        Ok((
            u32::try_from(n).unwrap_or(u32::MAX),
            time::opt_from_db(last)?,
        ))
    }

    async fn throttle_record_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = sign_in_throttle.failures + 1, \
             last_failure_at = $2 RETURNING failures",
        )
        .bind(key.to_owned())
        .bind(time::to_db(at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)?;
        let n: i64 = row.try_get(0).map_err(db)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn throttle_forgive(&mut self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0",
        )
        .bind(key.to_owned())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn throttle_reset(&mut self, key: &str) -> Result<(), StoreError> {
        // Zeroed, not deleted: a transaction waiting on this row's lock must find
        // it again (PostgreSQL would otherwise give it no row at all).
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = 0, last_failure_at = NULL WHERE throttle_key = $1",
        )
            .bind(key.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn insert_identity(
        &mut self,
        identity: &DigitalIdentity,
        tax_code: &str,
    ) -> Result<(), StoreError> {
        let done = bind_identity(sqlx::query(INSERT_IDENTITY), identity, tax_code)
            .execute(&mut *self.tx)
            .await
            .map_err(translate("identity"))?;
        touched(&done, StoreError::Duplicate("identity"))
    }

    async fn identity_for_update(&mut self, id: IdentityId) -> Result<DigitalIdentity, StoreError> {
        let sql = format!(
            "SELECT * FROM identities WHERE id = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        identity_from_row(&row)
    }

    async fn identities_of(
        &mut self,
        holder: HolderId,
    ) -> Result<Vec<DigitalIdentity>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM identities WHERE holder_id = $1 ORDER BY requested_at DESC")
                .bind(holder.to_string())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db)?;
        rows.iter().map(identity_from_row).collect()
    }

    async fn update_identity(&mut self, identity: &DigitalIdentity) -> Result<(), StoreError> {
        let tax_code: String = sqlx::query("SELECT tax_code FROM identities WHERE id = $1")
            .bind(identity.id().to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        let done = bind_identity(sqlx::query(UPDATE_IDENTITY), identity, &tax_code)
            .execute(&mut *self.tx)
            .await
            .map_err(translate("identity"))?;
        touched(&done, StoreError::NotFound)
    }

    async fn insert_session(
        &mut self,
        token_hash: &str,
        session: &Session,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "INSERT INTO sessions (token_hash, id, holder_id, login_number, area, level, created_at, last_seen_at, \
             client_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(token_hash.to_owned())
        .bind(session.id.to_string())
        .bind(session.holder_id.to_string())
        .bind(number_to_db(session.login))
        .bind(session.area.code())
        .bind(i64::from(session.level.as_u8()))
        .bind(time::to_db(session.created_at))
        .bind(time::to_db(session.last_seen_at))
        .bind(session.client_ip.clone())
        .bind(session.user_agent.clone())
        .execute(&mut *self.tx)
        .await
        .map_err(translate("session"))?;
        touched(&done, StoreError::Duplicate("session"))
    }

    async fn session_by_token_hash(&mut self, token_hash: &str) -> Result<Session, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        session_from_row(&row)
    }

    async fn touch_session(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_session_by_token_hash(&mut self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn sessions_of(&mut self, holder: HolderId) -> Result<Vec<Session>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM sessions WHERE holder_id = $1 ORDER BY created_at DESC, id")
                .bind(holder.to_string())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db)?;
        rows.iter().map(session_from_row).collect()
    }

    async fn delete_sessions(
        &mut self,
        holder: HolderId,
        filter: &SessionFilter,
    ) -> Result<u64, StoreError> {
        // NULL parameters disable a filter, as in the audit query.
        let done = sqlx::query(
            "DELETE FROM sessions WHERE holder_id = $1 AND ($2 IS NULL OR id = $2) \
             AND ($3 IS NULL OR area = $3) AND ($4 IS NULL OR login_number = $4) \
             AND ($5 IS NULL OR level >= $5)",
        )
        .bind(holder.to_string())
        .bind(filter.id.map(|i| i.to_string()))
        .bind(filter.area.map(SessionArea::code))
        .bind(filter.login.map(number_to_db))
        .bind(filter.min_level.map(|l| i64::from(l.as_u8())))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (id, at, actor, event, holder_id, details) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(r.id.to_string())
            .bind(time::to_db(r.at))
            .bind(r.actor.clone())
            .bind(r.event.clone())
            .bind(r.holder_id.map(|h| h.to_string()))
            .bind(r.details.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(translate("audit"))?;
        Ok(())
    }

    async fn audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        // NULL parameters disable a filter, so one statement serves every combination.
        const FILTER: &str = "SELECT * FROM audit_log WHERE ($1 IS NULL OR holder_id = $1) AND ($2 IS NULL OR event = $2) \
             AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR substr(event, 1, length($4)) = $4) \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)";
        let order = if q.latest {
            " ORDER BY at DESC, id DESC LIMIT $7"
        } else {
            " ORDER BY at, id LIMIT $7"
        };
        let rows = sqlx::query(AssertSqlSafe(format!("{FILTER}{order}")))
            .bind(q.holder_id.map(|h| h.to_string()))
            .bind(q.event.clone())
            .bind(q.actor.clone())
            .bind(q.event_prefix.clone())
            .bind(time::opt_to_db(q.from))
            .bind(time::opt_to_db(q.to))
            .bind(i64::from(if q.limit == 0 { u32::MAX } else { q.limit }))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let mut records = rows
            .iter()
            .map(audit_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if q.latest {
            records.reverse();
        }
        Ok(records)
    }

    async fn enqueue_mail(&mut self, m: &OutboxMessage) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox (id, created_at, to_address, lang, template, params, status, attempts, \
             next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2)",
        )
        .bind(m.id.to_string())
        .bind(time::to_db(m.created_at))
        .bind(m.to.clone())
        .bind(m.lang.code())
        .bind(m.template.clone())
        .bind(m.params.to_string())
        .bind(m.status.code())
        .bind(i64::from(m.attempts))
        .execute(&mut *self.tx)
        .await
        .map_err(translate("outbox"))?;
        Ok(())
    }

    async fn claim_due_mail(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, created_at, id LIMIT $2{}",
            self.backend.skip_locked()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(time::to_db(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let messages: Vec<OutboxMessage> =
            rows.iter().map(outbox_from_row).collect::<Result<_, _>>()?;
        for m in &messages {
            sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1")
                .bind(m.id.to_string())
                .bind(time::to_db(lease_until))
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        Ok(messages)
    }

    async fn mark_mail_sent(
        &mut self,
        id: uuid::Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Once sent, the single-use codes and links in the parameters are of no
        // further use to anyone but an intruder: they are blanked.
        let redacted = self.redacted_params(id).await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL, \
             params = $3 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(time::to_db(at))
        .bind(redacted)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn mark_mail_attempt_failed(
        &mut self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        // A message that will never be sent keeps no codes either.
        let params = match retry_at {
            Some(_) => None,
            None => Some(self.redacted_params(id).await?),
        };
        let done = sqlx::query(
            "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, \
             next_attempt_at = COALESCE($4, next_attempt_at), params = COALESCE($5, params) WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(status)
        .bind(error.chars().take(1000).collect::<String>())
        .bind(time::opt_to_db(retry_at))
        .bind(params)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn retry_mail(&mut self, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(time::to_db(at))
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn outbox_count(&mut self, status: OutboxStatus) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM outbox WHERE status = $1")
            .bind(status.code())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn outbox_message(&mut self, id: uuid::Uuid) -> Result<OutboxMessage, StoreError> {
        let row = sqlx::query("SELECT * FROM outbox WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        outbox_from_row(&row)
    }

    async fn outbox(
        &mut self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query("SELECT * FROM outbox WHERE ($1 IS NULL OR status = $1) ORDER BY created_at, id LIMIT $2")
            .bind(status.map(OutboxStatus::code))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(outbox_from_row).collect()
    }
}
