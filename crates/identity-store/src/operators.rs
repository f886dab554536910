//! Operator accounts and two-person approvals on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::ports::OperatorTx;
use identity_service::{Approval, ApprovalState, Operator, OperatorRole, StoreError};
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

fn operator_from_row(row: &AnyRow) -> Result<Operator, StoreError> {
    let c = Columns::of(row, "operator");
    Ok(Operator {
        id: c.parsed("id")?,
        name: c.text("name")?,
        role: c.decoded("role", OperatorRole::from_code)?,
        created_by: c.text("created_by")?,
        created_at: c.time("created_at")?,
        disabled_at: c.opt_time("disabled_at")?,
        last_used_at: c.opt_time("last_used_at")?,
    })
}

fn approval_from_row(row: &AnyRow) -> Result<Approval, StoreError> {
    let c = Columns::of(row, "approval");
    Ok(Approval {
        id: c.parsed("id")?,
        kind: c.text("kind")?,
        subject: c.text("subject")?,
        payload: c.json("payload")?,
        requested_by: c.text("requested_by")?,
        requested_at: c.time("requested_at")?,
        state: c.decoded("state", ApprovalState::from_code)?,
        decided_by: c.opt_text("decided_by")?,
        decided_at: c.opt_time("decided_at")?,
        note: c.opt_text("note")?,
    })
}

#[async_trait]
impl OperatorTx for SqlTx {
    #[tracing::instrument(name = "store.insert_operator", skip_all, level = "debug", fields(operator = %operator.name))]
    async fn insert_operator(
        &mut self,
        operator: &Operator,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO operators (id, name, role, token_hash, created_by, created_at, disabled_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(operator.id.to_string())
        .bind(operator.name.clone())
        .bind(operator.role.code())
        .bind(token_hash.to_owned())
        .bind(operator.created_by.clone())
        .bind(time::to_db(operator.created_at))
        .bind(time::opt_to_db(operator.disabled_at))
        .bind(time::opt_to_db(operator.last_used_at))
        .insert_in(self, "operator").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.operator_by_token_hash", skip_all, level = "debug")]
    async fn operator_by_token_hash(&mut self, token_hash: &str) -> Result<Operator, StoreError> {
        let row = sqlx::query("SELECT * FROM operators WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        operator_from_row(&row)
    }

    #[tracing::instrument(name = "store.operator_for_update", skip_all, level = "debug")]
    async fn operator_for_update(&mut self, name: &str) -> Result<Operator, StoreError> {
        let sql = format!(
            "SELECT * FROM operators WHERE name = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.to_owned())
            .fetch_one_in(self)
            .await?;
        operator_from_row(&row)
    }

    #[tracing::instrument(name = "store.operators", skip_all, level = "debug")]
    async fn operators(&mut self) -> Result<Vec<Operator>, StoreError> {
        let rows = sqlx::query("SELECT * FROM operators ORDER BY name")
            .fetch_all_in(self)
            .await?;
        rows.iter().map(operator_from_row).collect()
    }

    #[tracing::instrument(name = "store.update_operator", skip_all, level = "debug", fields(operator = %operator.name))]
    async fn update_operator(&mut self, operator: &Operator) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE operators SET role = $2, disabled_at = $3, last_used_at = $4 WHERE id = $1",
        )
        .bind(operator.id.to_string())
        .bind(operator.role.code())
        .bind(time::opt_to_db(operator.disabled_at))
        .bind(time::opt_to_db(operator.last_used_at))
        .execute_in(self)
        .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.touch_operator", skip_all, level = "debug", fields(id = %id))]
    async fn touch_operator(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE operators SET last_used_at = $2 WHERE id = $1 AND disabled_at IS NULL")
            .bind(id.to_string())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.lock_enabled_admins", skip_all, level = "debug")]
    async fn lock_enabled_admins(&mut self) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT id FROM operators WHERE role = 'admin' AND disabled_at IS NULL{}",
            self.backend.for_update()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all_in(self)
            .await?;
        Ok(rows.len() as u64)
    }

    #[tracing::instrument(name = "store.set_operator_token", skip_all, level = "debug", fields(id = %id))]
    async fn set_operator_token(&mut self, id: Uuid, token_hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE operators SET token_hash = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(token_hash.to_owned())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.claim_bootstrap", skip_all, level = "debug")]
    async fn claim_bootstrap(&mut self, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO operator_bootstrap (id, at) VALUES (1, $1) ON CONFLICT DO NOTHING",
        )
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(name = "store.insert_approval", skip_all, level = "debug")]
    async fn insert_approval(&mut self, a: &Approval) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO approvals (id, kind, subject, payload, requested_by, requested_at, state, decided_by, decided_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.id.to_string())
        .bind(a.kind.clone())
        .bind(a.subject.clone())
        .bind(a.payload.to_string())
        .bind(a.requested_by.clone())
        .bind(time::to_db(a.requested_at))
        .bind(a.state.code())
        .bind(a.decided_by.clone())
        .bind(time::opt_to_db(a.decided_at))
        .bind(a.note.clone())
        .insert_in(self, "approval").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.approval_for_update", skip_all, level = "debug", fields(id = %id))]
    async fn approval_for_update(&mut self, id: Uuid) -> Result<Approval, StoreError> {
        let sql = format!(
            "SELECT * FROM approvals WHERE id = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        approval_from_row(&row)
    }

    #[tracing::instrument(name = "store.update_approval", skip_all, level = "debug")]
    async fn update_approval(&mut self, a: &Approval) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE approvals SET state = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1",
        )
        .bind(a.id.to_string())
        .bind(a.state.code())
        .bind(a.decided_by.clone())
        .bind(time::opt_to_db(a.decided_at))
        .bind(a.note.clone())
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.approvals", skip_all, level = "debug")]
    async fn approvals(
        &mut self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Approval>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM approvals WHERE ($1 IS NULL OR state = $1) ORDER BY requested_at, id LIMIT $2",
        )
        .bind(state.map(str::to_owned))
        .bind(i64::from(limit))
        .fetch_all_in(self).await?;
        rows.iter().map(approval_from_row).collect()
    }
}
