//! The durable outbox of mail and SMS: the `outbox` table's queries and row mapper.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::Lang;
use identity_service::ports::OutboxTx;
use identity_service::{OutboxMessage, OutboxStatus, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

/// Rebuilds a queued message from its row.
fn outbox_from_row(row: &AnyRow) -> Result<OutboxMessage, StoreError> {
    let c = Columns::of(row, "outbox");
    Ok(OutboxMessage {
        id: c.parsed("id")?,
        created_at: c.time("created_at")?,
        to: c.text("to_address")?,
        lang: Lang::from_tag(&c.text("lang")?).unwrap_or_default(),
        template: c.text("template")?,
        params: c.json("params")?,
        status: c.decoded("status", OutboxStatus::from_code)?,
        attempts: u32::try_from(c.int("attempts")?).unwrap_or(u32::MAX),
        last_error: c.opt_text("last_error")?,
    })
}

impl SqlTx {
    /// The parameters of outbox message `id` with its secrets blanked.
    #[tracing::instrument(name = "store.redacted_params", skip_all, level = "debug")]
    async fn redacted_params(&mut self, id: uuid::Uuid) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT params FROM outbox WHERE id = $1")
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        let params = Columns::of(&row, "outbox").text("params")?;
        Ok(serde_json::from_str(&params)
            .map(|p| identity_service::model::redact_secrets(&p).to_string())
            .unwrap_or(params))
    }
}

#[async_trait]
impl OutboxTx for SqlTx {
    #[tracing::instrument(name = "store.enqueue_mail", skip_all, level = "debug")]
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
        .insert_in(self, "outbox").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.claim_due_mail", skip_all, level = "debug")]
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
            .fetch_all_in(self)
            .await?;
        let messages: Vec<OutboxMessage> =
            rows.iter().map(outbox_from_row).collect::<Result<_, _>>()?;
        for m in &messages {
            sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1")
                .bind(m.id.to_string())
                .bind(time::to_db(lease_until))
                .execute_in(self)
                .await?;
        }
        Ok(messages)
    }

    #[tracing::instrument(name = "store.renew_mail_lease", skip_all, level = "debug", fields(messages = ids.len()))]
    async fn renew_mail_lease(
        &mut self,
        ids: &[uuid::Uuid],
        held_until: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        let mut held = Vec::with_capacity(ids.len());
        for id in ids {
            let done = sqlx::query(
                "UPDATE outbox SET next_attempt_at = $3 \
                 WHERE id = $1 AND status = 'pending' AND next_attempt_at = $2",
            )
            .bind(id.to_string())
            .bind(time::to_db(held_until))
            .bind(time::to_db(lease_until))
            .execute_in(self)
            .await?;
            if done.rows_affected() == 1 {
                held.push(*id);
            }
        }
        Ok(held)
    }

    #[tracing::instrument(name = "store.mark_mail_sent", skip_all, level = "debug")]
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
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.mark_mail_attempt_failed", skip_all, level = "debug")]
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
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.retry_mail", skip_all, level = "debug")]
    async fn retry_mail(&mut self, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(time::to_db(at))
                .execute_in(self)
                .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.outbox_count", skip_all, level = "debug")]
    async fn outbox_count(&mut self, status: OutboxStatus) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = $1")
            .bind(status.code())
            .fetch_one_in(self)
            .await?;
        Columns::of(&row, "outbox").count("n")
    }

    #[tracing::instrument(name = "store.outbox_message", skip_all, level = "debug")]
    async fn outbox_message(&mut self, id: uuid::Uuid) -> Result<OutboxMessage, StoreError> {
        let row = sqlx::query("SELECT * FROM outbox WHERE id = $1")
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        outbox_from_row(&row)
    }

    #[tracing::instrument(name = "store.outbox", skip_all, level = "debug")]
    async fn outbox(
        &mut self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query("SELECT * FROM outbox WHERE ($1 IS NULL OR status = $1) ORDER BY created_at, id LIMIT $2")
            .bind(status.map(OutboxStatus::code))
            .bind(i64::from(limit))
            .fetch_all_in(self).await?;
        rows.iter().map(outbox_from_row).collect()
    }
}
