//! Correction requests and orders on one transaction.

use async_trait::async_trait;
use identity_core::correction::{CorrectableField, CorrectionRequest, CorrectionState};
use identity_core::{CorrectionId, HolderId, Order, OrderId};
use identity_core::{OrderKind, OrderState};
use identity_service::StoreError;
use identity_service::ports::CaseTx;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{db, translate};
use crate::time;
use crate::tx::{SqlTx, touched};

fn correction_from_row(row: &AnyRow) -> Result<CorrectionRequest, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("correction: {e}"));
    let get = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(&e));
    let field = get("field")?;
    let state = get("state")?;
    let decided_by: Option<String> = row.try_get("decided_by").map_err(|e| corrupt(&e))?;
    let decided_at = time::opt_from_db(row.try_get("decided_at").map_err(|e| corrupt(&e))?)?;
    let decision_reason: Option<String> =
        row.try_get("decision_reason").map_err(|e| corrupt(&e))?;
    let state = match (state.as_str(), decided_by, decided_at) {
        ("open", _, _) => CorrectionState::Open,
        ("approved", Some(by), Some(at)) => CorrectionState::Approved { by, at },
        ("rejected", Some(by), Some(at)) => CorrectionState::Rejected {
            by,
            at,
            reason: decision_reason.unwrap_or_default(),
        },
        _ => return Err(corrupt(&state)),
    };
    Ok(CorrectionRequest {
        id: get("id")?.parse().map_err(|e| corrupt(&e))?,
        holder_id: get("holder_id")?.parse().map_err(|e| corrupt(&e))?,
        field: CorrectableField::from_code(&field).ok_or_else(|| corrupt(&field))?,
        current_value: get("current_value")?,
        requested_value: get("requested_value")?,
        reason: get("reason")?,
        opened_at: time::from_db(row.try_get("opened_at").map_err(|e| corrupt(&e))?)?,
        state,
    })
}

fn order_from_row(row: &AnyRow) -> Result<Order, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("order: {e}"));
    let get = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(&e));
    let kind = get("kind")?;
    let state = get("state")?;
    Ok(Order {
        id: get("id")?.parse().map_err(|e| corrupt(&e))?,
        holder_id: get("holder_id")?.parse().map_err(|e| corrupt(&e))?,
        kind: OrderKind::from_code(&kind).ok_or_else(|| corrupt(&kind))?,
        state: OrderState::from_code(&state).ok_or_else(|| corrupt(&state))?,
        created_at: time::from_db(row.try_get("created_at").map_err(|e| corrupt(&e))?)?,
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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("correction"))?;
        Ok(())
    }

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
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        correction_from_row(&row)
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn corrections_of(
        &mut self,
        holder: HolderId,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM correction_requests WHERE holder_id = $1 ORDER BY opened_at DESC, id DESC",
        )
        .bind(holder.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(correction_from_row).collect()
    }

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
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(correction_from_row).collect()
    }

    async fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO orders (id, holder_id, kind, state, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(order.id.to_string())
        .bind(order.holder_id.to_string())
        .bind(order.kind.code())
        .bind(order.state.code())
        .bind(time::to_db(order.created_at))
        .execute(&mut *self.tx)
        .await
        .map_err(translate("order"))?;
        Ok(())
    }

    async fn orders_of(&mut self, holder: HolderId) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM orders WHERE holder_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(holder.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(order_from_row).collect()
    }

    async fn orders(&mut self, state: Option<&str>, limit: u32) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM orders WHERE ($1 IS NULL OR state = $1) ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(state.map(str::to_owned))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(order_from_row).collect()
    }

    async fn order(&mut self, id: OrderId, lock: bool) -> Result<Order, StoreError> {
        let suffix = if lock { self.backend.for_update() } else { "" };
        let sql = format!("SELECT * FROM orders WHERE id = $1{suffix}");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        order_from_row(&row)
    }

    async fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE orders SET state = $2 WHERE id = $1")
            .bind(order.id.to_string())
            .bind(order.state.code())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }
}
