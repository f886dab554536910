//! Correction requests and orders on one transaction.

use async_trait::async_trait;
use identity_core::correction::{CorrectableField, CorrectionRequest, CorrectionState};
use identity_core::{CorrectionId, HolderId, Order, OrderId};
use identity_core::{OrderKind, OrderState};
use identity_service::StoreError;
use identity_service::ports::CaseTx;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, touched};
use crate::time;

fn correction_from_row(row: &AnyRow) -> Result<CorrectionRequest, StoreError> {
    let c = Columns::of(row, "correction");
    let state = match (
        c.text("state")?.as_str(),
        c.opt_text("decided_by")?,
        c.opt_time("decided_at")?,
    ) {
        ("open", _, _) => CorrectionState::Open,
        ("approved", Some(by), Some(at)) => CorrectionState::Approved { by, at },
        ("rejected", Some(by), Some(at)) => CorrectionState::Rejected {
            by,
            at,
            reason: c.opt_text("decision_reason")?.unwrap_or_default(),
        },
        (other, _, _) => return Err(c.corrupt("state", other)),
    };
    Ok(CorrectionRequest {
        id: c.parsed("id")?,
        holder_id: c.parsed("holder_id")?,
        field: c.decoded("field", CorrectableField::from_code)?,
        current_value: c.text("current_value")?,
        requested_value: c.text("requested_value")?,
        reason: c.text("reason")?,
        opened_at: c.time("opened_at")?,
        state,
    })
}

pub(crate) const INSERT_ORDER: &str =
    "INSERT INTO orders (id, holder_id, kind, state, created_at) VALUES ($1, $2, $3, $4, $5)";

/// Binds the 5 columns of [`INSERT_ORDER`].
pub(crate) fn bind_order<'q>(q: AnyQuery<'q>, order: &Order) -> AnyQuery<'q> {
    q.bind(order.id.to_string())
        .bind(order.holder_id.to_string())
        .bind(order.kind.code())
        .bind(order.state.code())
        .bind(time::to_db(order.created_at))
}

fn order_from_row(row: &AnyRow) -> Result<Order, StoreError> {
    let c = Columns::of(row, "order");
    Ok(Order {
        id: c.parsed("id")?,
        holder_id: c.parsed("holder_id")?,
        kind: c.decoded("kind", OrderKind::from_code)?,
        state: c.decoded("state", OrderState::from_code)?,
        created_at: c.time("created_at")?,
    })
}

/// The decision columns of a request: (by, at, reason).
fn decision(state: &CorrectionState) -> (Option<String>, Option<i64>, Option<String>) {
    match state {
        CorrectionState::Open => (None, None, None),
        CorrectionState::Approved { by, at } => (Some(by.clone()), Some(time::to_db(*at)), None),
        CorrectionState::Rejected { by, at, reason } => (
            Some(by.clone()),
            Some(time::to_db(*at)),
            Some(reason.clone()),
        ),
    }
}

#[async_trait]
impl CaseTx for SqlTx {
    #[tracing::instrument(name = "store.insert_correction", skip_all, level = "debug")]
    async fn insert_correction(&mut self, r: &CorrectionRequest) -> Result<(), StoreError> {
        let (by, at, why) = decision(&r.state);
        sqlx::query(
            "INSERT INTO correction_requests (id, holder_id, field, current_value, requested_value, reason, \
             opened_at, state, decided_by, decided_at, decision_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.id.to_string())
        .bind(r.holder_id.to_string())
        .bind(r.field.code())
        .bind(r.current_value.clone())
        .bind(r.requested_value.clone())
        .bind(r.reason.clone())
        .bind(time::to_db(r.opened_at))
        .bind(r.state.code())
        .bind(by)
        .bind(at)
        .bind(why)
        .insert_in(self, "correction").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.correction_for_update", skip_all, level = "debug", fields(correction = %id))]
    async fn correction_for_update(
        &mut self,
        id: CorrectionId,
    ) -> Result<CorrectionRequest, StoreError> {
        let sql = format!(
            "SELECT * FROM correction_requests WHERE id = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        correction_from_row(&row)
    }

    #[tracing::instrument(name = "store.update_correction", skip_all, level = "debug")]
    async fn update_correction(&mut self, r: &CorrectionRequest) -> Result<(), StoreError> {
        let (by, at, why) = decision(&r.state);
        let done = sqlx::query(
            "UPDATE correction_requests SET state = $2, decided_by = $3, decided_at = $4, decision_reason = $5 \
             WHERE id = $1",
        )
        .bind(r.id.to_string())
        .bind(r.state.code())
        .bind(by)
        .bind(at)
        .bind(why)
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.corrections_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn corrections_of(
        &mut self,
        holder: HolderId,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM correction_requests WHERE holder_id = $1 ORDER BY opened_at DESC, id DESC",
        )
        .bind(holder.to_string())
        .fetch_all_in(self).await?;
        rows.iter().map(correction_from_row).collect()
    }

    #[tracing::instrument(name = "store.corrections", skip_all, level = "debug")]
    async fn corrections(
        &mut self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM correction_requests WHERE ($1 IS NULL OR state = $1) ORDER BY opened_at, id LIMIT $2",
        )
        .bind(state.map(str::to_owned))
        .bind(i64::from(limit))
        .fetch_all_in(self).await?;
        rows.iter().map(correction_from_row).collect()
    }

    #[tracing::instrument(name = "store.insert_order", skip_all, level = "debug")]
    async fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        bind_order(sqlx::query(INSERT_ORDER), order)
            .insert_in(self, "order")
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.orders_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn orders_of(&mut self, holder: HolderId) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM orders WHERE holder_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(holder.to_string())
        .fetch_all_in(self)
        .await?;
        rows.iter().map(order_from_row).collect()
    }

    #[tracing::instrument(name = "store.orders", skip_all, level = "debug")]
    async fn orders(&mut self, state: Option<&str>, limit: u32) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM orders WHERE ($1 IS NULL OR state = $1) ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(state.map(str::to_owned))
        .bind(i64::from(limit))
        .fetch_all_in(self).await?;
        rows.iter().map(order_from_row).collect()
    }

    #[tracing::instrument(name = "store.order", skip_all, level = "debug", fields(order = %id))]
    async fn order(&mut self, id: OrderId, lock: bool) -> Result<Order, StoreError> {
        let suffix = if lock { self.backend.for_update() } else { "" };
        let sql = format!("SELECT * FROM orders WHERE id = $1{suffix}");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        order_from_row(&row)
    }

    #[tracing::instrument(name = "store.update_order", skip_all, level = "debug")]
    async fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE orders SET state = $2 WHERE id = $1")
            .bind(order.id.to_string())
            .bind(order.state.code())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }
}
